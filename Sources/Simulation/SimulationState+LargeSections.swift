/// The three sections of `merchants.json` that grow with the population (`merchants`,
/// `merchant_details`, `card_profiles`), read with `JSONReader` straight into the state instead of
/// through `Decodable`: the same records, the same checks (`merchant(id:records:detail:)`,
/// `VersionRecord.merchantVersion`, `CardRecord.profile`), with nothing of the text kept.
extension SimulationState {
    /// The keys of the sections, as `merchants.json` names them.
    public static let largeSectionKeys = (histories: "merchants", details: "merchant_details", cards: "card_profiles")

    /// Sets `merchants` and `storedCards` from the JSON values of the sections; throws on text
    /// that `Decodable` would refuse, and on two merchants or two cards of one number.
    public mutating func readLargeSections(histories: UnsafeRawBufferPointer, details: UnsafeRawBufferPointer,
                                           cards: UnsafeRawBufferPointer) throws {
        // The details in the order of the text. As the writer wrote them (ids in order, as the
        // merchants' are), each merchant finds its own at its place, else by a binary search;
        // in another order, through a dictionary.
        let details = try Self.readEntries(details) { try DetailRecord(reading: &$0) }
        let inOrder = zip(details, details.dropFirst()).allSatisfy { $0.id < $1.id }
        let byId = inOrder ? nil : try Dictionary(details.lazy.map { ($0.id, $0.value) }) { _, _ in
            throw JSONReader.Malformed("a merchant with details twice")
        }
        func detail(of id: String, at place: Int) -> DetailRecord? {
            if let byId { return byId[id] }
            if place < details.count && details[place].id == id { return details[place].value }
            let found = details.partitioningIndex { $0.id >= id }
            return found < details.count && details[found].id == id ? details[found].value : nil
        }
        var read: [Merchant] = []
        var reader = JSONReader(histories)
        try reader.members { reader, id in
            var records: [VersionRecord] = []
            try reader.elements { reader in records.append(try VersionRecord(reading: &reader)) }
            read.append(try Self.merchant(id: id, records: records, detail: detail(of: id, at: read.count)))
        }
        try Self.expectEnd(&reader)
        merchants = try Self.sortedWithoutTwins(read, by: \.number)
        storedCards = try Self.sortedWithoutTwins(try Self.readEntries(cards) { try CardRecord(reading: &$0).profile() }.map(\.value),
                                                  by: \.number)
    }

    /// The keys of the lifecycle's lists of pending follow-ups, which grow with the population too.
    public static let followUpSectionKeys = (refunds: "pending_refunds", disputes: "pending_disputes")

    /// Sets `pendingRefunds` and `pendingDisputes` from the JSON values of their sections (lists of
    /// objects), when the text has them; throws on text that `Decodable` would refuse.
    public mutating func readFollowUpSections(refunds: UnsafeRawBufferPointer?, disputes: UnsafeRawBufferPointer?) throws {
        if let refunds { pendingRefunds = try Self.readList(refunds) { try PendingRefundRecord(reading: &$0).refund() } }
        if let disputes { pendingDisputes = try Self.readList(disputes) { try PendingDisputeRecord(reading: &$0).event() } }
    }

    /// The elements of the list `text`, in order, each read by `read`.
    private static func readList<Value>(_ text: UnsafeRawBufferPointer, _ read: (inout JSONReader) throws -> Value) throws -> [Value] {
        var values: [Value] = []
        var reader = JSONReader(text)
        try reader.elements { values.append(try read(&$0)) }
        try expectEnd(&reader)
        return values
    }

    /// The members of the object `text`, in order, each value read by `read`.
    private static func readEntries<Value>(_ text: UnsafeRawBufferPointer,
                                           _ read: (inout JSONReader) throws -> Value) throws -> [(id: String, value: Value)] {
        var entries: [(id: String, value: Value)] = []
        var reader = JSONReader(text)
        try reader.members { reader, id in entries.append((id, try read(&reader))) }
        try expectEnd(&reader)
        return entries
    }

    /// `values` sorted by `number`; throws when two share one (keys a dictionary would have told
    /// apart or folded into one: the caller then decodes the whole text to be sure).
    private static func sortedWithoutTwins<Value, Number: Comparable>(_ values: [Value], by number: KeyPath<Value, Number>) throws -> [Value] {
        let sorted = values.sorted { $0[keyPath: number] < $1[keyPath: number] }
        for index in sorted.indices.dropFirst() where sorted[index][keyPath: number] == sorted[index - 1][keyPath: number] {
            throw JSONReader.Malformed("two entries of one number")
        }
        return sorted
    }

    private static func expectEnd(_ reader: inout JSONReader) throws {
        guard reader.isAtEnd() else { throw JSONReader.Malformed("text after a section's value") }
    }
}

extension VersionRecord {
    /// Reads the object of one stored version; unknown keys are skipped, as `Decodable` skips them.
    init(reading reader: inout JSONReader) throws {
        var merchantId: String?, name: String?, industry: String?, address: String?, city: String?, state: String?
        var zipCode: String?, phone: String?, email: String?, size: String?
        var mdrRate: Double?, creation: Day?, effective: Day?, status: MerchantStatus?, version: Int?
        try reader.members { reader, key in
            switch key {
            case "merchant_id": merchantId = try reader.string()
            case "merchant_name": name = try reader.string()
            case "industry": industry = try reader.string()
            case "address": address = try reader.string()
            case "city": city = try reader.string()
            case "state": state = try reader.string()
            case "zip_code": zipCode = try reader.string()
            case "phone": phone = try reader.string()
            case "email": email = try reader.string()
            case "size_category": size = try reader.string()
            case "mdr_rate": mdrRate = try reader.double()
            case "creation_date": creation = try Day.reading(&reader)
            case "effective_date": effective = try Day.reading(&reader)
            case "status":
                let text = try reader.string()
                guard let known = MerchantStatus(rawValue: text) else { throw JSONReader.Malformed("unknown status '\(text)'") }
                status = known
            case "version": version = try reader.integer()
            default: try reader.skipValue()
            }
        }
        guard let merchantId, let name, let industry, let address, let city, let state, let zipCode, let phone, let email, let size,
              let mdrRate, let creation, let effective, let status, let version else {
            throw JSONReader.Malformed("a merchant version without all its keys")
        }
        self.init(merchant_id: merchantId, merchant_name: name, industry: industry, address: address, city: city, state: state,
                  zip_code: zipCode, phone: phone, email: email, mdr_rate: mdrRate, size_category: size, creation_date: creation,
                  effective_date: effective, status: status, version: version)
    }
}

extension DetailRecord {
    init(reading reader: inout JSONReader) throws {
        var latitude: Double?, longitude: Double?, terminalCount: Int?, lastTransactionDate: Day?
        try reader.members { reader, key in
            switch key {
            case "latitude": latitude = try reader.double()
            case "longitude": longitude = try reader.double()
            case "terminal_count": terminalCount = try reader.integer()
            case "last_transaction_date": lastTransactionDate = reader.takeNull() ? nil : try Day.reading(&reader)
            default: try reader.skipValue()
            }
        }
        guard let latitude, let longitude, let terminalCount else { throw JSONReader.Malformed("merchant details without all their keys") }
        self.init(latitude: latitude, longitude: longitude, terminalCount: terminalCount, lastTransactionDate: lastTransactionDate)
    }
}

extension CardRecord {
    init(reading reader: inout JSONReader) throws {
        var id: String?, bin: String?, type: String?, issuer: String?, brand: String?
        try reader.members { reader, key in
            switch key {
            case "card_profile_id": id = try reader.string()
            case "card_bin": bin = try reader.string()
            case "card_type": type = try reader.string()
            case "card_issuer": issuer = try reader.string()
            case "card_brand": brand = try reader.string()
            default: try reader.skipValue()
            }
        }
        guard let id, let bin, let type, let issuer, let brand else { throw JSONReader.Malformed("a card profile without all its keys") }
        self.init(card_profile_id: id, card_bin: bin, card_type: type, card_issuer: issuer, card_brand: brand)
    }
}

extension PendingRefundRecord {
    init(reading reader: inout JSONReader) throws {
        var numbers: [String: Int] = [:]
        var reason: String?
        try reader.members { reader, key in
            if key == "reason" { reason = try reader.string() } else if Self.numberKeys.contains(key) { numbers[key] = try reader.integer() } else { try reader.skipValue() }
        }
        guard let reason, let card = numbers["card_number"], let merchant = numbers["merchant_number"].flatMap(Int32.init(exactly:)),
              let paymentCents = numbers["payment_cents"].flatMap(Int32.init(exactly:)), let payment = numbers["payment_number"],
              let paymentTime = numbers["payment_time"], let cents = numbers["refund_cents"].flatMap(Int32.init(exactly:)),
              let time = numbers["refund_time"] else { throw JSONReader.Malformed("a pending refund without all its keys") }
        self.init(card_number: Int64(card), merchant_number: merchant, payment_cents: paymentCents, payment_number: Int64(payment),
                  payment_time: Int64(paymentTime), reason: reason, refund_cents: cents, refund_time: Int64(time))
    }

    private static let numberKeys: Set = ["card_number", "merchant_number", "payment_cents", "payment_number", "payment_time", "refund_cents",
                                          "refund_time"]
}

extension PendingDisputeRecord {
    init(reading reader: inout JSONReader) throws {
        var numbers: [String: Int] = [:]
        var texts: [String: String] = [:]
        try reader.members { reader, key in
            if Self.textKeys.contains(key) {
                texts[key] = try reader.string()
            } else if Self.numberKeys.contains(key) {
                numbers[key] = try reader.integer()
            } else {
                try reader.skipValue()
            }
        }
        func number32(_ key: String) -> Int32? { numbers[key].flatMap(Int32.init(exactly:)) }
        guard let outcome = texts["outcome"], let reason = texts["reason_code"], let stage = texts["stage"], let amount = number32("amount_cents"),
              let card = numbers["card_number"], let fee = number32("fee_cents"), let merchant = number32("merchant_number"),
              let opened = numbers["opened_time"], let paymentCents = number32("payment_cents"), let payment = numbers["payment_number"],
              let paymentTime = numbers["payment_time"], let time = numbers["time"] else {
            throw JSONReader.Malformed("a pending dispute event without all its keys")
        }
        self.init(amount_cents: amount, card_number: Int64(card), fee_cents: fee, merchant_number: merchant, opened_time: Int64(opened),
                  outcome: outcome, payment_cents: paymentCents, payment_number: Int64(payment), payment_time: Int64(paymentTime),
                  reason_code: reason, stage: stage, time: Int64(time))
    }

    private static let textKeys: Set = ["outcome", "reason_code", "stage"]
    private static let numberKeys: Set = ["amount_cents", "card_number", "fee_cents", "merchant_number", "opened_time", "payment_cents",
                                          "payment_number", "payment_time", "time"]
}

extension Day {
    /// A `YYYY-MM-DD` string, as `Decodable` reads a day.
    static func reading(_ reader: inout JSONReader) throws -> Day {
        let text = try reader.string()
        guard let day = Day(iso: text) else { throw JSONReader.Malformed("not a YYYY-MM-DD date: \(text)") }
        return day
    }
}
