import Records
import Simulation

/// Writes `merchants.json`: the JSON form that `SimulationState`'s `Decodable` conformance reads
/// (plus the unfinished run's record), keys sorted, one merchant version or card profile per line.
/// Journal entries write their part of the state with it too (see `CheckpointChange`).
///
/// Hand-written instead of `JSONEncoder`: with sorted keys the encoder spent most of a checkpoint
/// comparing key strings (callgrind), about a second per save at `--scale 100`; this writer
/// goes through `EncodingBuffer` in one pass. It calls `spill` after each line of the long
/// sections (cards, merchants, pending deliveries), where a file hands its buffer over a few MiB
/// at a time, so that the whole state never sits in memory as text.
struct StateJSONWriter {
    let out: EncodingBuffer
    /// Called after each line of a long section; may hand `out`'s bytes to a file and empty it, or throw to give up.
    let spill: () throws -> Void

    func write(_ checkpoint: Checkpoint) throws {
        let state = checkpoint.state
        var top = JSONMembers(out, indent: 0, multiline: true)
        top.number("card_counter", Int(state.cardCounter))
        top.key("card_profiles")
        var cards = JSONMembers(out, indent: 2, multiline: true)
        for card in state.storedCards {
            cards.key(CardProfile.id(number: card.number))
            var fields = JSONMembers(out, indent: 4, multiline: false)
            fields.raw("card_bin") { cursor in
                cursor.put(UInt8(ascii: "\""))
                cursor.put(digitsOf: Int(card.bin))
                cursor.put(UInt8(ascii: "\""))
            }
            fields.string("card_brand", card.brand.name)
            fields.string("card_issuer", card.issuerName)
            fields.string("card_profile_id", CardProfile.id(number: card.number))
            fields.string("card_type", card.type.name)
            fields.close()
            try spill()
        }
        cards.close()
        if let first = state.firstDate { top.date("first_generated_date", first) }
        if let last = state.lastGeneratedDate { top.date("last_generated_date", last) }
        if state.lifecycle { top.text("lifecycle", "true") }
        top.number("merchant_counter", state.merchantCounter)
        top.key("merchant_details")
        var details = JSONMembers(out, indent: 2, multiline: true)
        for merchant in state.merchants {
            details.key(merchantId: merchant.number)
            var fields = JSONMembers(out, indent: 4, multiline: false)
            if let day = merchant.lastTransactionDate { fields.date("last_transaction_date", day) }
            fields.raw("latitude") { $0.put(fixed: Int(merchant.latitudeE6), decimals: 6, divisor: 1_000_000) }
            fields.raw("longitude") { $0.put(fixed: Int(merchant.longitudeE6), decimals: 6, divisor: 1_000_000) }
            fields.number("terminal_count", merchant.terminalCount)
            fields.close()
            try spill()
        }
        details.close()
        top.key("merchants")
        var histories = JSONMembers(out, indent: 2, multiline: true)
        for merchant in state.merchants {
            histories.key(merchantId: merchant.number)
            out.write(reserving: 2) { $0.put("[\n") }
            for (index, version) in merchant.versions.enumerated() {
                out.write(reserving: 6) { $0.put(spaces: 6) }
                writeVersion(version)
                out.write(reserving: 2) { $0.put(index + 1 < merchant.versions.count ? ",\n" : "\n") }
            }
            out.write(reserving: 5) { cursor in
                cursor.put(spaces: 4)
                cursor.put(UInt8(ascii: "]"))
            }
            try spill()
        }
        histories.close()
        if let plan = state.monthPlan {
            top.key("month_plan")
            var fields = JSONMembers(out, indent: 2, multiline: false)
            fields.number("churned_merchants", plan.churnedMerchants)
            fields.number("month_index", plan.monthIndex)
            fields.number("new_merchants", plan.newMerchants)
            fields.close()
        }
        if let partial = state.partialDay {
            top.key("partial_day")
            var fields = JSONMembers(out, indent: 2, multiline: false)
            if partial.authorizations != 0 { fields.number("authorizations_delivered", partial.authorizations) }
            fields.string("date", partial.date.description)
            if partial.disputes != 0 { fields.number("disputes_delivered", partial.disputes) }
            fields.number("merchant_events_delivered", partial.merchantEvents)
            if partial.payouts != 0 { fields.number("payouts_delivered", partial.payouts) }
            if partial.refunds != 0 { fields.number("refunds_delivered", partial.refunds) }
            fields.number("transactions_delivered", partial.transactions)
            fields.close()
        }
        if state.lifecycle {
            top.key("pending_disputes")
            try writeLines(of: state.pendingDisputes) { event, fields in
                fields.number("amount_cents", Int(event.amountCents))
                fields.number("card_number", Int(event.cardNumber))
                fields.number("fee_cents", Int(event.feeCents))
                fields.number("merchant_number", Int(event.merchantNumber))
                fields.number("opened_time", Int(event.openedTime))
                fields.string("outcome", event.outcome.name)
                fields.number("payment_cents", Int(event.paymentCents))
                fields.number("payment_number", Int(event.paymentNumber))
                fields.number("payment_time", Int(event.paymentTime))
                fields.string("reason_code", event.reason.code)
                fields.string("stage", event.stage.name)
                fields.number("time", Int(event.time))
            }
            top.key("pending_refunds")
            try writeLines(of: state.pendingRefunds) { refund, fields in
                fields.number("card_number", Int(refund.cardNumber))
                fields.number("merchant_number", Int(refund.merchantNumber))
                fields.number("payment_cents", Int(refund.paymentCents))
                fields.number("payment_number", Int(refund.paymentNumber))
                fields.number("payment_time", Int(refund.paymentTime))
                fields.string("reason", refund.reason.name)
                fields.number("refund_cents", Int(refund.cents))
                fields.number("refund_time", Int(refund.time))
            }
        }
        top.text("scale", String(state.scale))
        if state.scenario != .standard {
            top.key("scenario")
            var scenario = JSONMembers(out, indent: 2, multiline: true)
            scenario.key("decline_shares")
            var shares = JSONMembers(out, indent: 4, multiline: false)
            for (code, share) in state.scenario.declineCodeShares.sorted(by: { $0.code < $1.code }) { shares.text(code, String(share)) }
            shares.close()
            if state.scenario.disputes != DisputePolicy.standard {
                scenario.key("disputes")
                var rates = JSONMembers(out, indent: 4, multiline: false)
                rates.text("rate", String(state.scenario.disputes.rate))
                rates.close()
            }
            let refunds = state.scenario.refunds
            if refunds != RefundPolicy.standard {
                scenario.key("refunds")
                var rates = JSONMembers(out, indent: 4, multiline: false)
                rates.text("mean_wait_days", String(refunds.meanWaitDays))
                rates.text("rate", String(refunds.rate))
                rates.close()
            }
            scenario.close()
        }
        top.number("schema_version", state.writtenSchemaVersion)
        top.text("seed", String(state.seed))
        if let zone = state.timeZone { top.string("timezone", zone) }
        top.text("total_transactions", String(state.totalTransactions))
        if let run = checkpoint.unfinishedRun {
            top.key("unfinished_run")
            try writeRun(run)
        }
        top.close()
        out.append("\n")
    }

    /// The unfinished run's record, at the indentation of a member of the top object.
    func writeRun(_ run: RunRecord) throws {
        var fields = JSONMembers(out, indent: 2, multiline: true)
        fields.string("command", run.command.rawValue)
        if let disorder = run.disorder {
            fields.key("disorder")
            try writeDisorder(disorder)
        }
        if let end = run.endDate { fields.string("end_date", end.description) }
        fields.key("files")
        var files = JSONMembers(out, indent: 4, multiline: false)
        for (name, length) in run.files.sorted(by: { $0.key < $1.key }) { files.number(name, length) }
        files.close()
        if let kafka = run.kafka {
            fields.key("kafka")
            var target = JSONMembers(out, indent: 4, multiline: false)
            target.string("brokers", kafka.brokers)
            // Written only when not the default, so a JSON run's record stays as before.
            if kafka.valueFormat != "json" { target.string("format", kafka.valueFormat) }
            if !kafka.partitions.isEmpty {
                target.key("partitions")
                out.append("[" + kafka.partitions.map(String.init).joined(separator: ", ") + "]")
            }
            if let publication = kafka.publication {
                target.key("publication")
                writePublication(publication)
            }
            target.key("topics")
            out.append("[")
            for (index, topic) in kafka.topics.enumerated() {
                if index > 0 { out.append(", ") }
                out.appendJSONString(topic)
            }
            out.append("]")
            target.close()
        }
        if let start = run.startDate { fields.string("start_date", start.description) }
        fields.string("timezone", run.timeZone)
        fields.close()
    }

    /// A list of a top-level member, one object per line, its members written by `write` in key order.
    private func writeLines<Item>(of items: [Item], _ write: (Item, inout JSONMembers) -> Void) throws {
        out.append("[")
        for (index, item) in items.enumerated() {
            out.append(index == 0 ? "\n    " : ",\n    ")
            var fields = JSONMembers(out, indent: 4, multiline: false)
            write(item, &fields)
            fields.close()
            try spill()
        }
        out.append(items.isEmpty ? "]" : "\n  ]")
    }

    /// The disorder's settings, then its pending deliveries, one per line.
    private func writeDisorder(_ disorder: DisorderRecord) throws {
        var fields = JSONMembers(out, indent: 4, multiline: true)
        fields.string("epoch", disorder.epoch.description)
        fields.text("log", String(disorder.writesLog))
        fields.key("pending")
        out.append("[")
        for (index, delivery) in disorder.pending.enumerated() {
            out.append(index == 0 ? "\n" : ",\n")
            out.append(String(repeating: " ", count: 8))
            var item = JSONMembers(out, indent: 8, multiline: false)
            for field in delivery.storedFields {
                switch field.value {
                case let .integer(value): item.text(field.key, String(value))
                case let .flag(value): item.text(field.key, String(value))
                case let .text(value): item.string(field.key, value)
                }
            }
            item.close()
            try spill()
        }
        out.append(disorder.pending.isEmpty ? "]" : "\n" + String(repeating: " ", count: 6) + "]")
        fields.key("settings")
        var settings = JSONMembers(out, indent: 6, multiline: false)
        settings.text("duplicate_fraction", String(disorder.settings.duplicateFraction))
        settings.text("late_fraction", String(disorder.settings.lateFraction))
        settings.number("max_lateness_seconds", Int(disorder.settings.maxLatenessSeconds))
        settings.close()
        fields.close()
    }

    private func writeVersion(_ version: MerchantVersion) {
        var fields = JSONMembers(out, indent: 6, multiline: false)
        fields.string("address", version.address)
        fields.string("city", version.city)
        fields.date("creation_date", version.creationDate)
        fields.date("effective_date", version.effectiveDate)
        fields.string("email", version.email)
        fields.string("industry", version.industry)
        fields.raw("mdr_rate") { $0.put(rate: version.mdrRate) }
        fields.string("merchant_id", version.merchantId)
        fields.string("merchant_name", version.name)
        fields.string("phone", version.phone)
        fields.string("size_category", version.size.name)
        fields.string("state", version.state)
        fields.string("status", version.status.rawValue)
        fields.number("version", version.version)
        fields.string("zip_code", version.zipCode)
        fields.close()
    }
}

extension StateJSONWriter {
    /// `{"cluster_id": …, "held": [[…], […]], "newest": [[…, null, …], […]], "offsets": [[…], […]]}` on one line.
    fileprivate func writePublication(_ publication: RunRecord.Publication) {
        var fields = JSONMembers(out, indent: 4, multiline: false)
        if let id = publication.clusterId { fields.string("cluster_id", id) }
        fields.key("held")
        writeLists(publication.held.map { $0.map(Optional.some) }) { out.appendJSONString($0) }
        fields.key("newest")
        writeLists(publication.newest) { out.appendJSONString($0) }
        fields.key("offsets")
        writeLists(publication.offsets) { out.append(String($0)) }
        fields.close()
    }

    /// A list of lists (nil as `null`), each item written by `write`.
    private func writeLists<Item>(_ lists: [[Item?]], _ write: (Item) -> Void) {
        out.append("[")
        for (index, list) in lists.enumerated() {
            out.append(index > 0 ? ", [" : "[")
            for (position, item) in list.enumerated() {
                if position > 0 { out.append(", ") }
                if let item { write(item) } else { out.append("null") }
            }
            out.append("]")
        }
        out.append("]")
    }
}

extension StateJSONWriter {
    /// Bytes the snapshot's writer gathers before it hands them to the file.
    static let chunk = 4 << 20

    /// Writes `checkpoint`'s `merchants.json` into `file`, handing it `chunk` bytes or more at a
    /// time (the file still to be closed); returns the identity of the bytes written.
    static func stream(_ checkpoint: Checkpoint, to file: BufferedFile, chunk: Int = chunk) throws -> SnapshotIdentity {
        var hash = ContentHash()
        let buffer = file.buffer
        func handOver() throws {
            hash.update(buffer.bytes)
            try file.flush()
        }
        try StateJSONWriter(out: buffer, spill: { if buffer.count >= chunk { try handOver() } }).write(checkpoint)
        try handOver()
        return SnapshotIdentity(length: file.size, hash: hash.finalized)
    }
}
