/// A delivery still pending at a checkpoint, as `merchants.json` keeps it: the whole transaction
/// (a late one may belong to a day that a re-run does not simulate again) and its mark, whose
/// epoch the run's record holds once for all. `storedFields` lists what `init(from:epoch:)` reads.
extension Delivery {
    enum CodingKeys: String, CodingKey {
        case deliveredAt = "delivered_at", day, index, kind
        case paymentNumber = "payment_number", timestamp
        case latitudeE6 = "latitude_e6", longitudeE6 = "longitude_e6", amountCents = "amount_cents"
        case paymentType = "payment_type", approved, terminalIndex = "terminal_index", merchantNumber = "merchant_number"
        case cardNumber = "card_number", cardBin = "card_bin", cardType = "card_type", cardBrand = "card_brand"
        case cardIssuer = "card_issuer", newCard = "new_card", storesCard = "stores_card", mdrRate = "mdr_rate", sequence
    }

    /// Decodes a pending delivery of a run whose epoch's first day is `epoch`.
    public init(from decoder: Decoder, epoch: Day) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func code<Code: RawRepresentable<UInt8>>(_ key: CodingKeys) throws -> Code {
            guard let value = Code(rawValue: try c.decode(UInt8.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown \(key.stringValue)")
            }
            return value
        }
        let kindName = try c.decode(String.self, forKey: .kind)
        guard let kind = DeliveryKind(name: kindName), kind != .onTime else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "a pending delivery is late or duplicate, not '\(kindName)'")
        }
        let card = CardProfile(number: try c.decode(Int64.self, forKey: .cardNumber), bin: try c.decode(Int32.self, forKey: .cardBin),
                               type: try code(.cardType), brand: try code(.cardBrand), issuer: try c.decode(UInt8.self, forKey: .cardIssuer))
        guard Int(card.issuer) < CardProfile.issuerNames.count else {
            throw DecodingError.dataCorruptedError(forKey: .cardIssuer, in: c, debugDescription: "unknown card_issuer")
        }
        let transaction = Transaction(
            paymentNumber: try c.decode(Int64.self, forKey: .paymentNumber), timestamp: try c.decode(Int64.self, forKey: .timestamp),
            latitudeE6: try c.decode(Int32.self, forKey: .latitudeE6), longitudeE6: try c.decode(Int32.self, forKey: .longitudeE6),
            amountCents: try c.decode(Int32.self, forKey: .amountCents), paymentType: try code(.paymentType),
            approved: try c.decode(Bool.self, forKey: .approved), terminalIndex: try c.decode(UInt8.self, forKey: .terminalIndex),
            merchantNumber: try c.decode(Int32.self, forKey: .merchantNumber), card: card,
            isNewCard: try c.decode(Bool.self, forKey: .newCard), storesCard: try c.decode(Bool.self, forKey: .storesCard),
            mdrRate: try c.decode(Int16.self, forKey: .mdrRate), sequence: try c.decode(Int32.self, forKey: .sequence))
        self.init(mark: DeliveryMark(epoch: epoch, deliveredAt: try c.decode(Int64.self, forKey: .deliveredAt),
                                     day: try c.decode(Day.self, forKey: .day), index: try c.decode(Int.self, forKey: .index), kind: kind),
                  transaction: transaction)
    }

    /// A stored field's value.
    public enum StoredValue: Sendable {
        case integer(Int64)
        case flag(Bool)
        case text(String)
    }

    /// The fields `init(from:epoch:)` reads, in key order.
    public var storedFields: [(key: String, value: StoredValue)] {
        let t = transaction, card = t.card
        let pairs: [(CodingKeys, StoredValue)] = [
            (.amountCents, .integer(Int64(t.amountCents))), (.approved, .flag(t.approved)), (.cardBin, .integer(Int64(card.bin))),
            (.cardBrand, .integer(Int64(card.brand.rawValue))), (.cardIssuer, .integer(Int64(card.issuer))),
            (.cardNumber, .integer(card.number)), (.cardType, .integer(Int64(card.type.rawValue))), (.day, .text(mark.day.description)),
            (.deliveredAt, .integer(mark.deliveredAt)), (.index, .integer(Int64(mark.index))), (.kind, .text(mark.kind.name)),
            (.latitudeE6, .integer(Int64(t.latitudeE6))), (.longitudeE6, .integer(Int64(t.longitudeE6))), (.mdrRate, .integer(Int64(t.mdrRate))),
            (.merchantNumber, .integer(Int64(t.merchantNumber))), (.newCard, .flag(t.isNewCard)), (.paymentNumber, .integer(t.paymentNumber)),
            (.paymentType, .integer(Int64(t.paymentType.rawValue))), (.sequence, .integer(Int64(t.sequence))),
            (.storesCard, .flag(t.storesCard)), (.terminalIndex, .integer(Int64(t.terminalIndex))), (.timestamp, .integer(t.timestamp)),
        ]
        return pairs.map { ($0.0.stringValue, $0.1) }
    }
}
