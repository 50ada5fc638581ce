import KafkaClient
import Foundation

/// Compares each partition's watermarks with the offsets this run was acknowledged there, at
/// checkpoints (at most every `interval` seconds, and always when asked to be thorough):
/// - a low watermark (the oldest offset kept) past the first offset acknowledged means retention
///   dropped records this run sent: a warning. The embedded broker (librdkafka's mock cluster)
///   keeps only ~5 MiB of each partition; a real cluster's retention can drop a replay's old
///   timestamps as fast;
/// - a high watermark (the next offset) at or below the last offset acknowledged means the
///   partition lost records it had acknowledged (a log cut, a broker that came back empty): an
///   error, so that the run fails before its checkpoint says the records are there.
final class RetentionWatch {
    /// Records of one topic that the broker dropped.
    struct Loss: CustomStringConvertible {
        let topic: String
        let lost: Int
        let sent: Int
        let partitionCount: Int

        var description: String {
            "\(topic): the broker no longer holds \(Self.grouped(lost)) of the \(Self.grouped(sent)) records this run sent "
                + "(its retention dropped them): with replay broker, give the topics more partitions (--partitions \(suggestedPartitions)); "
                + "on a real cluster, a longer retention (retention.ms/retention.bytes) or more partitions"
        }

        /// Twice the partitions that would have held the records at the rate this topic kept them
        /// (keys do not spread evenly), as a power of two.
        var suggestedPartitions: Int {
            let needed = Double(partitionCount) * Double(sent) / Double(max(sent - lost, 1)) * 2
            var suggestion = 1
            while Double(suggestion) < needed && suggestion < 1_000 { suggestion *= 2 }
            return min(suggestion, 1_000)
        }

        /// `1234567` as `1,234,567`.
        static func grouped(_ number: Int) -> String {
            let digits = String(number)
            guard digits.count > 3 else { return digits }
            return grouped(number / 1_000) + "," + digits.suffix(3)
        }
    }

    /// Seconds between checks at checkpoints.
    let interval: Double
    /// Seconds one check may spend asking the broker.
    let timeout: Double
    private var lastCheck: Date?
    /// The records lost of each topic as last warned about.
    private var warned: [String: Int] = [:]

    init(interval: Double = 10, timeout: Double = 5) {
        self.interval = interval
        self.timeout = timeout
    }

    /// At a checkpoint (at most every `interval` seconds, unless `thorough`): warns about a topic
    /// the first time it lost records to retention, and fails when a partition lost records it had acknowledged.
    func checkpoint(_ producer: KafkaProducer, partitionCounts: [Int], thorough: Bool = false) throws {
        if !thorough, let lastCheck, Date().timeIntervalSince(lastCheck) < interval { return }
        lastCheck = Date()
        let found = inspect(producer, partitionCounts: partitionCounts)
        if let truncation = found.truncation { throw KafkaError(truncation) }
        for loss in found.losses where warned[loss.topic] == nil { warn(loss, producer) }
    }

    /// At the end of a completed run: warns about every topic that lost records, with the final
    /// figures (unless the last warning already said them).
    func finish(_ producer: KafkaProducer, partitionCounts: [Int]) {
        for loss in inspect(producer, partitionCounts: partitionCounts).losses where warned[loss.topic] != loss.lost { warn(loss, producer) }
    }

    private func warn(_ loss: Loss, _ producer: KafkaProducer) {
        warned[loss.topic] = loss.lost
        producer.logger?.warning("\(loss)")
    }

    /// Each topic that lost records to retention, and the first partition whose log lost records it
    /// had acknowledged; nothing when the broker does not answer in time (no guesses).
    func inspect(_ producer: KafkaProducer, partitionCounts: [Int]) -> (losses: [Loss], truncation: String?) {
        let deadline = Date().addingTimeInterval(timeout)
        var losses: [Loss] = []
        for (topic, counts) in producer.counts.enumerated() {
            var lost: Int64 = 0
            for (partition, range) in producer.ledger.acknowledgedOffsets(ofTopic: topic).enumerated() {
                guard let range else { continue }
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0, let marks = producer.watermarks(topic: topic, partition: partition, timeout: remaining) else { return ([], nil) }
                if marks.high <= range.upperBound {
                    return ([], "Kafka at \(producer.bootstrapServers) lost records of \(counts.topic) that it had acknowledged: partition "
                        + "\(partition) ends at offset \(marks.high), but this run was acknowledged offset \(range.upperBound) there (its log was cut, "
                        + "or the broker came back empty); run the same command again to publish what is missing")
                }
                lost += max(0, min(marks.low, range.upperBound + 1) - range.lowerBound)
            }
            if lost > 0 {
                losses.append(Loss(topic: counts.topic, lost: Int(lost), sent: counts.acknowledged, partitionCount: partitionCounts[topic]))
            }
        }
        return (losses, nil)
    }
}
