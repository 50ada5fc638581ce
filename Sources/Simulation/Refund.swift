/// Money a merchant gives back on an approved payment, some days after it (`--lifecycle`).
///
/// A refund is decided when its payment is settled (`RefundPolicy.refund(of:seed:)`), waits in the
/// state's `pendingRefunds` until its day comes, and is then an event of the refunds stream. So a
/// payment on the last day of a history is refunded by a later incremental run or live feed.
public struct Refund: FollowUp {
    /// The refunded payment's number (`TXN…`); the refund's id carries it too, since a payment
    /// has at most one refund.
    public var paymentNumber: Int64
    public var merchantNumber: Int32
    /// The card the money goes back to.
    public var cardNumber: Int64
    /// The payment's simulated time.
    public var paymentTime: Int64
    public var paymentCents: Int32
    /// When the refund happens: simulated seconds since 1970-01-01T00:00:00, at least a day after the payment.
    public var time: Int64
    /// The amount given back: the whole payment, or part of it.
    public var cents: Int32
    public var reason: RefundReason

    public init(paymentNumber: Int64, merchantNumber: Int32, cardNumber: Int64, paymentTime: Int64, paymentCents: Int32,
                time: Int64, cents: Int32, reason: RefundReason) {
        self.paymentNumber = paymentNumber
        self.merchantNumber = merchantNumber
        self.cardNumber = cardNumber
        self.paymentTime = paymentTime
        self.paymentCents = paymentCents
        self.time = time
        self.cents = cents
        self.reason = reason
    }

    /// True when less than the whole payment is given back.
    public var isPartial: Bool { cents < paymentCents }
}

/// Why a merchant gave money back.
public enum RefundReason: UInt8, CaseIterable, Sendable {
    /// The customer sent the goods back: all of them, or some (a partial refund).
    case returnedGoods
    /// The order was cancelled before it was fulfilled: a full refund.
    case cancelledOrder
    /// The card was charged twice for one purchase: the payment is given back whole.
    case duplicateCharge
    /// The price was lowered after the sale (a discount, a damaged item kept): always partial.
    case priceAdjustment

    /// The name in records: `returned_goods`, `cancelled_order`, `duplicate_charge`, `price_adjustment`.
    public var name: String {
        switch self {
        case .returnedGoods: "returned_goods"
        case .cancelledOrder: "cancelled_order"
        case .duplicateCharge: "duplicate_charge"
        case .priceAdjustment: "price_adjustment"
        }
    }

    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }
}
