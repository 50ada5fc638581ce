import Simulation

/// The fields of `authorizations_<start>_<end>.csv` and of an authorization record's value, and
/// how a `Transaction` and its `AuthorizationResponse` fill them: the issuer's answer to the
/// payment's authorization request, one per payment, approved or declined.
public enum AuthorizationRow {
    public static let fields = RecordFields(
        name: "Authorization",
        doc: "The card issuer's answer to a payment's authorization request: one per payment, with the ISO 8583 response code that decided its payment_status.",
        fields: [
            Field("authorization_id", .text, pattern: "^AUTH[0-9]{10,}$",
                  doc: "Authorization id: AUTH and the payment's number in 10 digits (AUTH0000000042 authorizes TXN0000000042)."),
            Field("payment_id", .text, pattern: "^TXN[0-9]{10,}$", doc: "The payment authorized: TXN and 10 digits, as in the transactions stream."),
            Field("authorization_timestamp", .localTimestamp,
                  doc: "When the issuer answered, the payment's own time: wall-clock time in the run's --timezone (default UTC), to the second, without offset. The Kafka record timestamp is the matching UTC instant."),
            Field("merchant_id", .text, pattern: "^M[0-9]{6,}$", doc: "The merchant: M and 6 digits (the record key too)."),
            Field("terminal_id", .text, pattern: "^T[0-9]{8,}$",
                  doc: "Terminal that sent the request: T, the merchant number (6 digits) and the terminal number (2 digits)."),
            Field("card_profile_id", .text, pattern: "^CARD[0-9]{10,}$", doc: "The card: CARD and 10 digits; a reused card keeps its id."),
            Field("card_brand", .text, values: CardBrand.allCases.map(\.name), doc: "Card network that routed the request."),
            Field("payment_type", .text, values: PaymentType.allCases.map(\.name), doc: "How the card was presented."),
            Field("amount", .money, doc: "Amount asked for, US dollars, two decimals: the payment_amount, declined or not."),
            Field("response_code", .text, values: AuthorizationResponse.allCases.map(\.code),
                  doc: "ISO 8583 response code (field 39): 00 approved, any other a decline."),
            Field("response_reason", .text, values: AuthorizationResponse.allCases.map(\.reason),
                  doc: "The response code's meaning (insufficient_funds for 51)."),
            Field("decline_type", .text, values: AuthorizationResponse.DeclineKind.allCases.map(\.name),
                  doc: "none when approved; soft when the issuer may approve the same card on a later retry; hard when a retry must not be made."),
            Field("payment_status", .text, values: ["approved", "declined"],
                  doc: "The payment's status, as in the transactions stream: approved exactly when response_code is 00."),
        ])

    /// The CSV header's columns.
    public static let columns = fields.names

    public static let jsonKeys = JSONKeys(columns)

    /// Each response's code and reason, indexed by its raw value.
    @usableFromInline static let codes = Names(AuthorizationResponse.allCases.map(\.code))
    @usableFromInline static let reasons = Names(AuthorizationResponse.allCases.map(\.reason))
    @usableFromInline static let declineKindNames = Names(AuthorizationResponse.DeclineKind.allCases.map(\.name))

    /// Writes every field of `t`'s authorization, answered `response`, in order (the order and types of `fields`).
    @inlinable @inline(__always)
    public static func write<Format: RowFormat>(_ t: Transaction, response: AuthorizationResponse, to row: Format) {
        row.buffer.write(reserving: 13 * row.fieldOverhead + 256) { c in
            row.text(0, &c) { $0.put("AUTH"); $0.put(digitsOf: Int(t.paymentNumber), width: 10) }
            row.text(1, &c) { $0.put(paymentId: t.paymentNumber) }
            row.localTimestamp(2, seconds: t.timestamp, &c)
            row.text(3, &c) { $0.put(merchantId: Int(t.merchantNumber)) }
            row.text(4, &c) { $0.put(terminalOf: t) }
            row.text(5, &c) { $0.put(cardProfileId: t.card.number) }
            row.text(6, &c) { $0.put(TransactionRow.brandNames[Int(t.card.brand.rawValue)]) }
            row.text(7, &c) { $0.put(TransactionRow.typeNames[Int(t.paymentType.rawValue)]) }
            row.money(8, cents: Int(t.amountCents), &c)
            row.text(9, &c) { $0.put(codes[Int(response.rawValue)]) }
            row.text(10, &c) { $0.put(reasons[Int(response.rawValue)]) }
            row.text(11, &c) { $0.put(declineKindNames[Int(response.declineKind.rawValue)]) }
            row.text(12, &c) { $0.put(t.approved ? "approved" : "declined") }
        }
    }
}
