/// The JSON form of the state (`merchants.json`): the spec's keys (`last_generated_date`,
/// `merchants` as lists of versions per id, `merchant_counter`, `card_profiles`,
/// `total_transactions`) plus what resuming needs. Maps are keyed by zero-padded ids, so an
/// encoder with sorted keys writes them in id order.
extension SimulationState: Codable {
    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case seed, scale
        case firstGeneratedDate = "first_generated_date"
        case lastGeneratedDate = "last_generated_date"
        case merchants
        case merchantDetails = "merchant_details"
        case merchantCounter = "merchant_counter"
        case totalTransactions = "total_transactions"
        case cardCounter = "card_counter"
        case cardProfiles = "card_profiles"
        case monthPlan = "month_plan"
        case partialDay = "partial_day"
        case timeZone = "timezone"
        case lifecycle, scenario
        case pendingRefunds = "pending_refunds"
        case pendingDisputes = "pending_disputes"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let schema = try container.decode(Int.self, forKey: .schemaVersion)
        let supported = [SimulationState.schemaVersion, SimulationState.lifecycleSchemaVersion] + SimulationState.earlierLifecycleSchemaVersions
        guard supported.contains(schema) else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: container,
                debugDescription: "schema_version \(schema) is not a supported one (\(SimulationState.schemaVersion), or "
                    + "\(SimulationState.lifecycleSchemaVersion) with the lifecycle)")
        }
        self.init(seed: try container.decode(UInt64.self, forKey: .seed),
                  scale: try container.decode(Double.self, forKey: .scale),
                  timeZone: try container.decodeIfPresent(String.self, forKey: .timeZone),
                  lifecycle: try container.decodeIfPresent(Bool.self, forKey: .lifecycle) ?? false,
                  scenario: try container.decodeIfPresent(ScenarioRecord.self, forKey: .scenario)?.scenario() ?? .standard)
        firstDate = try container.decodeIfPresent(Day.self, forKey: .firstGeneratedDate)
        lastGeneratedDate = try container.decodeIfPresent(Day.self, forKey: .lastGeneratedDate)
        merchantCounter = try container.decode(Int.self, forKey: .merchantCounter)
        totalTransactions = try container.decode(Int64.self, forKey: .totalTransactions)
        cardCounter = try container.decode(Int64.self, forKey: .cardCounter)
        monthPlan = try container.decodeIfPresent(MonthPlan.self, forKey: .monthPlan)
        partialDay = try container.decodeIfPresent(PartialDay.self, forKey: .partialDay)
        pendingRefunds = try container.decodeIfPresent([PendingRefundRecord].self, forKey: .pendingRefunds)?.map { try $0.refund() } ?? []
        pendingDisputes = try container.decodeIfPresent([PendingDisputeRecord].self, forKey: .pendingDisputes)?.map { try $0.event() } ?? []

        let histories = try container.decode([String: [VersionRecord]].self, forKey: .merchants)
        let details = try container.decode([String: DetailRecord].self, forKey: .merchantDetails)
        merchants = try histories.keys.sorted().map { try Self.merchant(id: $0, records: histories[$0]!, detail: details[$0]) }
        merchants.sort { $0.number < $1.number }
        let cards = try container.decode([String: CardRecord].self, forKey: .cardProfiles)
        storedCards = try cards.values.map { try $0.profile() }.sorted { $0.number < $1.number }
    }

    /// The merchant `id` from its stored versions and details (the sections `merchants` and `merchant_details`).
    static func merchant(id: String, records: [VersionRecord], detail: DetailRecord?) throws -> Merchant {
        guard let number = Int(id.dropFirst()), id.first == "M", let detail, !records.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.merchants], debugDescription: "merchant \(id) is incomplete"))
        }
        guard let latitude = Self.millionths(detail.latitude, within: 90), let longitude = Self.millionths(detail.longitude, within: 180) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.merchantDetails],
                                                    debugDescription: "merchant \(id) has a latitude or longitude out of range"))
        }
        return Merchant(
            number: number, versions: try records.map { try $0.merchantVersion() }, latitudeE6: latitude, longitudeE6: longitude,
            terminalCount: detail.terminalCount, lastTransactionDate: detail.lastTransactionDate)
    }

    /// `degrees` in millionths, when it is a number of at most `limit` degrees either way.
    static func millionths(_ degrees: Double, within limit: Double) -> Int32? {
        guard degrees.isFinite, abs(degrees) <= limit else { return nil }
        return Int32((degrees * 1_000_000).rounded())
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(writtenSchemaVersion, forKey: .schemaVersion)
        try container.encode(seed, forKey: .seed)
        try container.encode(scale, forKey: .scale)
        try container.encodeIfPresent(timeZone, forKey: .timeZone)
        if lifecycle { try container.encode(true, forKey: .lifecycle) }
        if scenario != .standard { try container.encode(ScenarioRecord(scenario), forKey: .scenario) }
        try container.encodeIfPresent(firstDate, forKey: .firstGeneratedDate)
        try container.encodeIfPresent(lastGeneratedDate, forKey: .lastGeneratedDate)
        try container.encode(merchantCounter, forKey: .merchantCounter)
        try container.encode(totalTransactions, forKey: .totalTransactions)
        try container.encode(cardCounter, forKey: .cardCounter)
        try container.encodeIfPresent(monthPlan, forKey: .monthPlan)
        try container.encodeIfPresent(partialDay, forKey: .partialDay)
        if lifecycle {
            try container.encode(pendingRefunds.map(PendingRefundRecord.init), forKey: .pendingRefunds)
            try container.encode(pendingDisputes.map(PendingDisputeRecord.init), forKey: .pendingDisputes)
        }
        var histories: [String: [VersionRecord]] = [:]
        var details: [String: DetailRecord] = [:]
        for merchant in merchants {
            let id = Merchant.id(number: merchant.number)
            histories[id] = merchant.versions.map(VersionRecord.init)
            details[id] = DetailRecord(
                latitude: Double(merchant.latitudeE6) / 1_000_000, longitude: Double(merchant.longitudeE6) / 1_000_000,
                terminalCount: merchant.terminalCount, lastTransactionDate: merchant.lastTransactionDate)
        }
        try container.encode(histories, forKey: .merchants)
        try container.encode(details, forKey: .merchantDetails)
        var cards: [String: CardRecord] = [:]
        for card in storedCards { cards[CardProfile.id(number: card.number)] = CardRecord(card) }
        try container.encode(cards, forKey: .cardProfiles)
    }
}

/// A merchant version as stored: the CSV columns, by their CSV names.
struct VersionRecord: Codable {
    var merchant_id: String
    var merchant_name: String
    var industry: String
    var address: String
    var city: String
    var state: String
    var zip_code: String
    var phone: String
    var email: String
    var mdr_rate: Double
    var size_category: String
    var creation_date: Day
    var effective_date: Day
    var status: MerchantStatus
    var version: Int
}

extension VersionRecord {
    init(_ v: MerchantVersion) {
        merchant_id = v.merchantId; merchant_name = v.name; industry = v.industry; address = v.address
        city = v.city; state = v.state; zip_code = v.zipCode; phone = v.phone; email = v.email
        mdr_rate = Double(v.mdrRate) / 10_000; size_category = v.size.name; creation_date = v.creationDate
        effective_date = v.effectiveDate; status = v.status; version = v.version
    }

    func merchantVersion() throws -> MerchantVersion {
        guard let size = SizeCategory(name: size_category) else { throw StateFormatError.unknown("size_category", size_category) }
        guard mdr_rate.isFinite, (0...1).contains(mdr_rate) else { throw StateFormatError.unknown("mdr_rate", String(mdr_rate)) }
        return MerchantVersion(
            merchantId: merchant_id, name: merchant_name, industry: industry, address: address, city: city,
            state: state, zipCode: zip_code, phone: phone, email: email, mdrRate: Int((mdr_rate * 10_000).rounded()),
            size: size, creationDate: creation_date, effectiveDate: effective_date, status: status, version: version)
    }
}

/// What the simulation knows of a merchant beyond its CSV columns.
struct DetailRecord: Codable {
    var latitude: Double
    var longitude: Double
    var terminalCount: Int
    var lastTransactionDate: Day?

    enum CodingKeys: String, CodingKey {
        case latitude, longitude
        case terminalCount = "terminal_count"
        case lastTransactionDate = "last_transaction_date"
    }
}

/// A stored card profile, with the transaction CSV's column names.
struct CardRecord: Codable {
    var card_profile_id: String
    var card_bin: String
    var card_type: String
    var card_issuer: String
    var card_brand: String
}

extension CardRecord {
    init(_ card: CardProfile) {
        card_profile_id = CardProfile.id(number: card.number); card_bin = String(card.bin)
        card_type = card.type.name; card_issuer = card.issuerName; card_brand = card.brand.name
    }

    func profile() throws -> CardProfile {
        guard let number = Int64(card_profile_id.dropFirst(4)), card_profile_id.hasPrefix("CARD") else {
            throw StateFormatError.unknown("card_profile_id", card_profile_id)
        }
        guard let bin = Int32(card_bin) else { throw StateFormatError.unknown("card_bin", card_bin) }
        guard let type = CardType(name: card_type) else { throw StateFormatError.unknown("card_type", card_type) }
        guard let brand = CardBrand(name: card_brand) else { throw StateFormatError.unknown("card_brand", card_brand) }
        guard let issuer = CardProfile.issuerNames.firstIndex(of: card_issuer) else {
            throw StateFormatError.unknown("card_issuer", card_issuer)
        }
        return CardProfile(number: number, bin: bin, type: type, brand: brand, issuer: UInt8(issuer))
    }
}

/// A pending refund as stored: numbers and seconds, with its reason's name.
struct PendingRefundRecord: Codable {
    var card_number: Int64
    var merchant_number: Int32
    var payment_cents: Int32
    var payment_number: Int64
    var payment_time: Int64
    var reason: String
    var refund_cents: Int32
    var refund_time: Int64
}

extension PendingRefundRecord {
    init(_ refund: Refund) {
        card_number = refund.cardNumber; merchant_number = refund.merchantNumber; payment_cents = refund.paymentCents
        payment_number = refund.paymentNumber; payment_time = refund.paymentTime; reason = refund.reason.name
        refund_cents = refund.cents; refund_time = refund.time
    }

    func refund() throws -> Refund {
        guard let known = RefundReason(name: reason) else { throw StateFormatError.unknown("refund reason", reason) }
        return Refund(paymentNumber: payment_number, merchantNumber: merchant_number, cardNumber: card_number, paymentTime: payment_time,
                      paymentCents: payment_cents, time: refund_time, cents: refund_cents, reason: known)
    }
}

/// A pending dispute event as stored: numbers and seconds, with the names of its stage, reason code and outcome.
struct PendingDisputeRecord: Codable {
    var amount_cents: Int32
    var card_number: Int64
    var fee_cents: Int32
    var merchant_number: Int32
    var opened_time: Int64
    var outcome: String
    var payment_cents: Int32
    var payment_number: Int64
    var payment_time: Int64
    var reason_code: String
    var stage: String
    var time: Int64
}

extension PendingDisputeRecord {
    init(_ event: DisputeEvent) {
        amount_cents = event.amountCents; card_number = event.cardNumber; fee_cents = event.feeCents
        merchant_number = event.merchantNumber; opened_time = event.openedTime; outcome = event.outcome.name
        payment_cents = event.paymentCents; payment_number = event.paymentNumber; payment_time = event.paymentTime
        reason_code = event.reason.code; stage = event.stage.name; time = event.time
    }

    func event() throws -> DisputeEvent {
        guard let stage = DisputeEvent.Stage(name: stage) else { throw StateFormatError.unknown("dispute stage", stage) }
        guard let reason = DisputeReason(code: reason_code) else { throw StateFormatError.unknown("dispute reason_code", reason_code) }
        guard let outcome = DisputeOutcome(name: outcome) else { throw StateFormatError.unknown("dispute outcome", outcome) }
        return DisputeEvent(stage: stage, time: time, paymentNumber: payment_number, merchantNumber: merchant_number, cardNumber: card_number,
                            paymentTime: payment_time, paymentCents: payment_cents, openedTime: opened_time, reason: reason,
                            amountCents: amount_cents, feeCents: fee_cents, outcome: outcome)
    }
}

/// The lifecycle's rates as stored: the decline shares by response code, and the refund and
/// dispute rates when they are not the defaults.
struct ScenarioRecord: Codable {
    var decline_shares: [String: Double]
    var disputes: DisputesRecord?
    var refunds: RatesRecord?

    struct DisputesRecord: Codable {
        var rate: Double
    }

    struct RatesRecord: Codable {
        var mean_wait_days: Double
        var rate: Double
    }

    init(_ scenario: LifecycleScenario) {
        decline_shares = Dictionary(uniqueKeysWithValues: scenario.declineCodeShares.map { ($0.code, $0.share) })
        let rates = scenario.refunds
        refunds = rates == RefundPolicy.standard ? nil : RatesRecord(mean_wait_days: rates.meanWaitDays, rate: rates.rate)
        disputes = scenario.disputes == DisputePolicy.standard ? nil : DisputesRecord(rate: scenario.disputes.rate)
    }

    func scenario() throws -> LifecycleScenario {
        do {
            let rates = try refunds.map { try RefundRates(rate: $0.rate, meanWaitDays: $0.mean_wait_days) } ?? RefundPolicy.standard
            let disputeRates = try disputes.map { try DisputeRates(rate: $0.rate) } ?? DisputePolicy.standard
            return try LifecycleScenario(declineShares: decline_shares.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, refunds: rates,
                                         disputes: disputeRates)
        } catch {
            throw StateFormatError.invalid("scenario", "\(error)")
        }
    }
}

/// A value in `merchants.json` that the simulation does not know.
public enum StateFormatError: Error, CustomStringConvertible {
    case unknown(String, String)
    /// A value the simulation knows, but could not have written (the field, and why).
    case invalid(String, String)

    public var description: String {
        switch self {
        case let .unknown(field, value): "unknown \(field) '\(value)'"
        case let .invalid(field, problem): "invalid \(field): \(problem)"
        }
    }
}
