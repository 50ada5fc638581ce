import Records
import KafkaClient
import KafkaPublishing
import Simulation
import Testing

/// Reading a partition's newest record of a simulation as a position, and noticing records that a
/// different partition count placed.
@Suite struct PublishedPositionsTests {
    func newest(_ key: String, _ mark: String) -> TopicReadBack.Newest { .init(mark: mark, key: Array(key.utf8)) }

    /// A key and the partition it has among `count`.
    func placed(_ key: String, among count: Int) -> Int {
        Int(Array(key.utf8).withUnsafeBytes { KeyPartitioner.partition(ofKey: $0, partitionCount: count) })
    }

    @Test func recordsOnTheirKeysPartitionGiveTheirPositions() throws {
        var records = [TopicReadBack.Newest?](repeating: nil, count: 4)
        records[placed("M000007", among: 4)] = newest("M000007", "2024-01-02/17")
        let positions = try PublishedPositions.positions(of: records, topic: "t", partitionCount: 4)
        #expect(positions.compactMap { $0 } == [EventPosition(day: Day(iso: "2024-01-02")!, index: 17)])
    }

    @Test func aRecordThatAnotherPartitionCountPlacedIsRefused() throws {
        // A key that 8 partitions put on one of the first 6, and 6 partitions elsewhere.
        let keys = (1...999).map { "M" + String(repeating: "0", count: 6 - String($0).count) + String($0) }
        let key = try #require(keys.first { placed($0, among: 8) < 6 && placed($0, among: 8) != placed($0, among: 6) })
        var records = [TopicReadBack.Newest?](repeating: nil, count: 6)
        records[placed(key, among: 8)] = newest(key, "2024-01-02/3")
        let error = #expect(throws: KafkaError.self) { try PublishedPositions.positions(of: records, topic: "t", partitionCount: 6) }
        #expect(error?.description.contains("partition count changed") == true)
    }

    /// The newest records of partition `placed("M000007")` as read back: one of a run with `epoch`, delivered at `second`.
    func deliveryRecord(_ epoch: DeliveryEpoch, at second: Int64) -> [TopicReadBack.Newest?] {
        let mark = DeliveryMark(epoch: epoch.first, deliveredAt: second, day: Day(iso: "2024-01-05")!, index: 42, kind: .late)
        let header = EncodingBuffer()
        RecordIdentity.encodeDelivery(mark, of: epoch, into: header)
        var records = [TopicReadBack.Newest?](repeating: nil, count: 4)
        records[placed("M000007", among: 4)] = TopicReadBack.Newest(mark: "2024-01-05/42", detail: String(decoding: header.bytes, as: UTF8.self),
                                                                     key: Array("M000007".utf8))
        return records
    }

    @Test func aDeliveryMarkComesFromItsTwoHeaders() throws {
        let epoch = DeliveryEpoch(first: Day(iso: "2024-01-01")!, last: Day(iso: "2024-01-05")!)
        let second = Day(iso: "2024-01-06")!.startSecond + 3_723
        let records = deliveryRecord(epoch, at: second)
        let text = try #require(records.compactMap { $0 }.first?.detail)
        #expect(text == "2024-01-01..2024-01-05/2024-01-06T01:02:03/late")
        let mark = DeliveryMark(epoch: epoch.first, deliveredAt: second, day: Day(iso: "2024-01-05")!, index: 42, kind: .late)
        #expect(RecordIdentity.delivery(sequence: "2024-01-05/42", delivery: text).map { [$0.mark == mark, $0.run == epoch] } == [true, true])
        for malformed in ["2024-01-01/2024-01-06T01:02:03/late", "2024-01-01..2024-01-05/2024-01-06T25:00:00/late",
                          "2024-01-01..2024-01-05/2024-01-06T01:02:03/early", "2024-01-05..2024-01-01/2024-01-06T01:02:03/late"] {
            #expect(RecordIdentity.delivery(sequence: "2024-01-05/42", delivery: malformed) == nil, "\(malformed)")
        }
        #expect(try PublishedPositions.deliveryPositions(of: records, topic: "t", partitionCount: 4, epoch: epoch).compactMap { $0 } == [mark])
        var missing = records
        missing[placed("M000007", among: 4)] = TopicReadBack.Newest(mark: "2024-01-05/42", detail: nil, key: Array("M000007".utf8))
        #expect(throws: KafkaError.self) { try PublishedPositions.deliveryPositions(of: missing, topic: "t", partitionCount: 4, epoch: epoch) }
    }

    /// Which runs may continue from a partition whose newest record belongs to another run of the same simulation.
    @Test func onlyARunThatFollowsTheSameOrderMayContinueFromARecord() throws {
        let day = { (text: String) in Day(iso: text)! }
        let history = DeliveryEpoch(first: day("2024-01-01"), last: day("2024-01-05"))
        let drained = day("2024-01-06").startSecond + 3_600, beforeItsEnd = day("2024-01-05").startSecond + 50_000
        func allowed(_ epoch: DeliveryEpoch, after record: DeliveryEpoch, at second: Int64) -> Bool {
            (try? PublishedPositions.deliveryPositions(of: deliveryRecord(record, at: second), topic: "t", partitionCount: 4, epoch: epoch)) != nil
        }
        // The same run; the next incremental day or a live feed after it; a later history.
        #expect(allowed(history, after: history, at: drained))
        #expect(allowed(DeliveryEpoch(first: day("2024-01-06"), last: day("2024-01-06")), after: history, at: drained))
        #expect(allowed(DeliveryEpoch(first: day("2024-01-06"), last: nil), after: history, at: drained))
        // The same first day, another end: fine while the record is before the midnight after the earlier end.
        let longer = DeliveryEpoch(first: history.first, last: day("2024-01-10"))
        let feed = DeliveryEpoch(first: history.first, last: nil)
        #expect(allowed(longer, after: history, at: beforeItsEnd) && allowed(feed, after: history, at: beforeItsEnd))
        #expect(!allowed(longer, after: history, at: drained) && !allowed(feed, after: history, at: drained))
        #expect(allowed(history, after: feed, at: beforeItsEnd) && !allowed(history, after: feed, at: drained))
        // A run that would deliver again the days of a later run in the topic; the earlier run itself, redone, may.
        let later = DeliveryEpoch(first: day("2024-01-06"), last: day("2024-01-06"))
        #expect(!allowed(longer, after: later, at: drained) && !allowed(feed, after: later, at: drained))
        #expect(allowed(history, after: later, at: drained))
    }
}
