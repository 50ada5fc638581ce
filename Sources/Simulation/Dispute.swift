/// One step of a cardholder's dispute of an approved payment (`--lifecycle`): its opening, when the
/// issuer takes the payment's amount back from the merchant (a chargeback) and charges a fee, and
/// its closing, when the merchant has won it (the amount comes back), lost it or accepted it.
///
/// A dispute is decided whole when its payment is settled (`DisputePolicy.dispute(of:seed:rates:)`),
/// and both of its steps wait in the state's `pendingDisputes` until their days come.
public struct DisputeEvent: FollowUp {
    /// Which step this is.
    public enum Stage: UInt8, CaseIterable, Sendable {
        case opened, closed

        /// `opened` or `closed`.
        public var name: String { self == .opened ? "opened" : "closed" }

        public init?(name: String) {
            guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = found
        }
    }

    public var stage: Stage
    /// This step's time: simulated seconds since 1970-01-01T00:00:00.
    public var time: Int64
    public var paymentNumber: Int64
    public var merchantNumber: Int32
    public var cardNumber: Int64
    public var paymentTime: Int64
    public var paymentCents: Int32
    /// When the dispute was opened (this event's time for an opening).
    public var openedTime: Int64
    public var reason: DisputeReason
    /// The amount disputed and charged back: the whole payment.
    public var amountCents: Int32
    /// The fee the merchant pays for the dispute, at its opening.
    public var feeCents: Int32
    /// How it ends; the opening's record does not show it, since nobody knows it yet.
    public var outcome: DisputeOutcome

    public init(stage: Stage, time: Int64, paymentNumber: Int64, merchantNumber: Int32, cardNumber: Int64, paymentTime: Int64,
                paymentCents: Int32, openedTime: Int64, reason: DisputeReason, amountCents: Int32, feeCents: Int32,
                outcome: DisputeOutcome) {
        self.stage = stage
        self.time = time
        self.paymentNumber = paymentNumber
        self.merchantNumber = merchantNumber
        self.cardNumber = cardNumber
        self.paymentTime = paymentTime
        self.paymentCents = paymentCents
        self.openedTime = openedTime
        self.reason = reason
        self.amountCents = amountCents
        self.feeCents = feeCents
        self.outcome = outcome
    }

    /// The last day for the merchant's evidence: `DisputePolicy.evidenceDays` after the opening's day.
    public var evidenceDueDate: Day {
        Day(containing: openedTime).adding(days: DisputePolicy.evidenceDays)
    }
}

/// Why the cardholder disputed the payment: a network-style reason code (Visa's numbering) and its family.
public enum DisputeReason: UInt8, CaseIterable, Sendable {
    case fraudCardPresent
    case fraudCardAbsent
    case noAuthorization
    case incorrectAmount
    case duplicateProcessing
    case notReceived
    case notAsDescribed

    /// The families that dispute reasons fall in.
    public enum Family: UInt8, CaseIterable, Sendable {
        case fraud, authorization, processingError, consumer

        /// `fraud`, `authorization`, `processing_error`, `consumer`.
        public var name: String {
            switch self {
            case .fraud: "fraud"
            case .authorization: "authorization"
            case .processingError: "processing_error"
            case .consumer: "consumer"
            }
        }
    }

    /// Visa's reason code: 10.x fraud, 11.x authorization, 12.x processing error, 13.x consumer.
    public var code: String {
        switch self {
        case .fraudCardPresent: "10.3"
        case .fraudCardAbsent: "10.4"
        case .noAuthorization: "11.3"
        case .incorrectAmount: "12.5"
        case .duplicateProcessing: "12.6.1"
        case .notReceived: "13.1"
        case .notAsDescribed: "13.3"
        }
    }

    public var family: Family {
        switch self {
        case .fraudCardPresent, .fraudCardAbsent: .fraud
        case .noAuthorization: .authorization
        case .incorrectAmount, .duplicateProcessing: .processingError
        case .notReceived, .notAsDescribed: .consumer
        }
    }

    public init?(code: String) {
        guard let found = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = found
    }
}

/// How a dispute ends.
public enum DisputeOutcome: UInt8, CaseIterable, Sendable {
    /// The merchant proved the payment good: the amount comes back (the fee does not).
    case won
    /// The issuer sided with the cardholder: the chargeback stands.
    case lost
    /// The merchant did not contest it: the chargeback stands.
    case accepted

    /// `won`, `lost`, `accepted`.
    public var name: String {
        switch self {
        case .won: "won"
        case .lost: "lost"
        case .accepted: "accepted"
        }
    }

    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }
}
