/// A card as the aggregator sees it. Stored profiles are the ones that come back.
public struct CardProfile: Equatable, Sendable {
    /// The number in the id (`CARD0000000042` is 42).
    public var number: Int64
    public var bin: Int32
    public var type: CardType
    public var brand: CardBrand
    /// Index into `CardProfile.issuerNames`.
    public var issuer: UInt8

    public var issuerName: String { CardProfile.issuerNames[Int(issuer)] }

    /// Every issuer name, indexed by `issuer`.
    public static let issuerNames = CardCatalog.issuers

    /// `CARD` and ten digits.
    public static func id(number: Int64) -> String {
        "CARD" + String(zeroPadded: Int(number), width: 10)
    }

    /// A new card with realistic type, brand, issuer and a BIN of its brand. Its number is
    /// assigned later, when the day's transactions are put in time order.
    static func draw(_ random: inout SimRandom) -> CardProfile {
        let type = CardType(rawValue: UInt8(CardCatalog.typeSampler.pick(&random)))!
        let brand = CardCatalog.brand(for: type, &random)
        return CardProfile(
            number: 0, bin: brand.drawBin(&random), type: type, brand: brand,
            issuer: CardCatalog.issuer(for: brand, &random)
        )
    }
}
