import Simulation

/// The streams replay can produce, in the order every list of them follows (topics, partition
/// counts and positions in `merchants.json`, schema ids, metrics): merchants, transactions, then
/// the payment lifecycle's (`--lifecycle`). A run produces those of its simulation (`of(_:)`), in
/// this order.
public enum EventStreams {
    public static let merchants = MerchantsStream()
    public static let transactions = TransactionsStream()

    /// Every stream, in their order: a catalogue of what does not depend on a simulation (names,
    /// fields and schemas, files, default topics). A run encodes through its own streams
    /// (`of(_:)`): the authorizations' codes follow from the simulation's seed, which this one lacks.
    public static let all: [any EventStream] = [merchants, transactions, AuthorizationsStream(seed: 0), RefundsStream(), DisputesStream(),
                                                PayoutsStream()]

    /// The streams of every simulation.
    public static let standard: [any EventStream] = [merchants, transactions]

    /// The place in a run's streams of the stream whose deliveries late and duplicate delivery
    /// shapes (`Delivery`): the same in every run, since every run starts with the standard streams.
    public static let deliveredIndex = 1

    /// The streams a run of the simulation `state` produces: the standard ones, and the
    /// lifecycle's when it is on. They are the first `count(lifecycle:)` of `all`.
    public static func of(_ state: SimulationState) -> [any EventStream] {
        guard state.lifecycle else { return standard }
        return standard + [AuthorizationsStream(seed: state.seed, scenario: state.scenario), RefundsStream(), DisputesStream(), PayoutsStream()]
    }

    /// How many streams a run produces, with the lifecycle or without: the first ones of `all`.
    public static func count(lifecycle: Bool) -> Int { lifecycle ? all.count : standard.count }

    /// The topics of a run of `count` streams, from `topics` (one per stream of `all`, in its
    /// order): the first `count`; nil when `topics` names fewer.
    public static func topics(_ topics: [String], ofStreams count: Int) -> [String]? {
        topics.count >= count ? Array(topics.prefix(count)) : nil
    }

    /// The place in `all` of the stream named `name`; nil for no stream.
    public static func index(named name: String) -> Int? { all.firstIndex { $0.name == name } }

    /// Each stream's default topic, in the order of `all`.
    public static var defaultTopics: [String] { all.map(\.defaultTopic) }
}
