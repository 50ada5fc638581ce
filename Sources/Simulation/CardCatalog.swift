/// Card types, brands, issuers and payment types with their shares and BIN ranges.
public enum CardType: UInt8, CaseIterable, Sendable {
    case credit, debit, prepaid

    public var name: String {
        switch self {
        case .credit: "credit"
        case .debit: "debit"
        case .prepaid: "prepaid"
        }
    }

    /// Interchange and network cost paid by the aggregator, in ten-thousandths.
    public var costRate: Int {
        switch self {
        case .credit: 180
        case .debit: 50
        case .prepaid: 120
        }
    }

    init?(name: String) {
        guard let match = CardType.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

public enum CardBrand: UInt8, CaseIterable, Sendable {
    case visa, mastercard, amex, discover

    public var name: String {
        switch self {
        case .visa: "Visa"
        case .mastercard: "Mastercard"
        case .amex: "American Express"
        case .discover: "Discover"
        }
    }

    init?(name: String) {
        guard let match = CardBrand.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// A six-digit BIN in one of the brand's real prefix ranges.
    func drawBin(_ random: inout SimRandom) -> Int32 {
        switch self {
        case .visa:
            return Int32(400_000 + random.below(100_000))
        case .mastercard:
            if random.chance(0.2) { return Int32((2221 + random.below(500)) * 100 + random.below(100)) }
            return Int32((51 + random.below(5)) * 10_000 + random.below(10_000))
        case .amex:
            return Int32((random.chance(0.5) ? 34 : 37) * 10_000 + random.below(10_000))
        case .discover:
            if random.chance(0.5) { return Int32(601_100 + random.below(100)) }
            return Int32(650_000 + random.below(10_000))
        }
    }
}

/// The card networks' and banks' shares of US cards, by card type.
enum CardCatalog {
    static let typeSampler = WeightedTable([55, 40, 5])
    static let creditBrands = WeightedTable([50, 30, 13, 7])
    static let debitBrands = WeightedTable([65, 35, 0, 0])
    static let prepaidBrands = WeightedTable([60, 40, 0, 0])

    /// Banks that issue Visa and Mastercard cards; American Express and Discover issue their own.
    static let banks = [
        "Chase", "Bank of America", "Wells Fargo", "Citi", "Capital One",
        "U.S. Bank", "PNC", "Truist", "TD Bank", "Navy Federal",
    ]
    static let bankSampler = WeightedTable([20, 16, 13, 11, 12, 7, 6, 6, 5, 4])

    /// Issuer names, bank list first, then the two networks that issue their own cards.
    static let issuers = banks + ["American Express", "Discover"]

    static func brand(for type: CardType, _ random: inout SimRandom) -> CardBrand {
        let table = switch type {
        case .credit: creditBrands
        case .debit: debitBrands
        case .prepaid: prepaidBrands
        }
        return CardBrand(rawValue: UInt8(table.pick(&random)))!
    }

    static func issuer(for brand: CardBrand, _ random: inout SimRandom) -> UInt8 {
        switch brand {
        case .amex: UInt8(banks.count)
        case .discover: UInt8(banks.count + 1)
        case .visa, .mastercard: UInt8(bankSampler.pick(&random))
        }
    }
}

/// How the customer paid.
public enum PaymentType: UInt8, CaseIterable, Sendable {
    case cardPresent, contactless, cardNotPresent, mobileWallet

    public var name: String {
        switch self {
        case .cardPresent: "card_present"
        case .contactless: "contactless"
        case .cardNotPresent: "card_not_present"
        case .mobileWallet: "mobile_wallet"
        }
    }

    static let sampler = WeightedTable([50, 22, 20, 8])
}
