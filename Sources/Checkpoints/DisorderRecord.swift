import Simulation

/// What an unfinished run with disorder keeps in its record: the settings (a re-run with others is
/// refused), whether it writes the disorder log, its epoch (see `DeliveryEpoch`) and the late and duplicate
/// deliveries that were scheduled and not yet made at the checkpoint, so that a stop, a kill and
/// a re-run make each of them once.
public struct DisorderRecord: Equatable, Sendable {
    public var settings: DisorderSettings
    /// `--disorder-log`: the period's `disorder_<start>_<end>.csv`.
    public var writesLog: Bool
    public var epoch: DeliveryEpoch
    /// In mark order.
    public var pending: [Delivery]

    public init(settings: DisorderSettings, writesLog: Bool, epoch: DeliveryEpoch, pending: [Delivery] = []) {
        self.settings = settings
        self.writesLog = writesLog
        self.epoch = epoch
        self.pending = pending
    }

    /// The options that name this disorder on a command line, for messages.
    public var options: String {
        var words = settings.lateFraction > 0
            ? ["--late-fraction \(settings.lateFraction)", "--max-lateness \(settings.maxLatenessSeconds)s"] : []
        if settings.duplicateFraction > 0 { words.append("--duplicate-fraction \(settings.duplicateFraction)") }
        if writesLog { words.append("--disorder-log") }
        return words.joined(separator: " ")
    }
}

extension DisorderRecord: Decodable {
    enum CodingKeys: String, CodingKey {
        case settings, log, epoch, pending
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        settings = try container.decode(DisorderSettings.self, forKey: .settings)
        if let problem = settings.problem {
            throw DecodingError.dataCorruptedError(forKey: .settings, in: container, debugDescription: problem)
        }
        writesLog = try container.decode(Bool.self, forKey: .log)
        let text = try container.decode(String.self, forKey: .epoch)
        guard let epoch = DeliveryEpoch(text) else {
            throw DecodingError.dataCorruptedError(forKey: .epoch, in: container, debugDescription: "epoch '\(text)' is not FIRST..LAST")
        }
        self.epoch = epoch
        var items = try container.nestedUnkeyedContainer(forKey: .pending)
        var pending: [Delivery] = []
        while !items.isAtEnd {
            pending.append(try Delivery(from: try items.superDecoder(), epoch: epoch.first))
        }
        guard zip(pending, pending.dropFirst()).allSatisfy({ $0.mark < $1.mark }) else {
            throw DecodingError.dataCorruptedError(forKey: .pending, in: container, debugDescription: "pending deliveries out of order")
        }
        self.pending = pending
    }
}
