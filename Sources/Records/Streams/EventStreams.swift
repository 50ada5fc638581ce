/// The streams a run produces, in the order every list of them follows (topics, partition counts
/// and positions in `merchants.json`, schema ids, metrics): merchants, then transactions.
public enum EventStreams {
    public static let merchants = MerchantsStream()
    public static let transactions = TransactionsStream()

    /// Every stream, in their order.
    public static let all: [any EventStream] = [merchants, transactions]

    /// The place in `all` of the stream whose deliveries late and duplicate delivery shapes (`Delivery`).
    public static let deliveredIndex = 1

    /// The place in `all` of the stream named `name`; nil for no stream.
    public static func index(named name: String) -> Int? { all.firstIndex { $0.name == name } }

    /// Each stream's default topic, in order.
    public static var defaultTopics: [String] { all.map(\.defaultTopic) }
}
