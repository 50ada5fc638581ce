import Events
import Kafka
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
        #expect(positions.compactMap { $0 } == [RecordIdentity.Sequence(day: Day(iso: "2024-01-02")!, index: 17)])
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

    @Test func aDeliveryMarkComesFromItsTwoHeadersAndAnotherPeriodFromTheSameDayIsRefused() throws {
        let epoch = DeliveryEpoch(first: Day(iso: "2024-01-01")!, last: Day(iso: "2024-01-05")!)
        let mark = DeliveryMark(epoch: epoch, deliveredAt: Day(iso: "2024-01-06")!.startSecond + 3_723, day: Day(iso: "2024-01-05")!,
                                index: 42, kind: .late)
        let header = ByteBuffer()
        RecordIdentity.encodeDelivery(mark, into: header)
        let text = String(decoding: header.bytes, as: UTF8.self)
        #expect(text == "2024-01-01..2024-01-05/2024-01-06T01:02:03/late")
        #expect(RecordIdentity.deliveryMark(sequence: "2024-01-05/42", delivery: text) == mark)
        for malformed in ["2024-01-01/2024-01-06T01:02:03/late", "2024-01-01..2024-01-05/2024-01-06T25:00:00/late",
                          "2024-01-01..2024-01-05/2024-01-06T01:02:03/early", "2024-01-05..2024-01-01/2024-01-06T01:02:03/late"] {
            #expect(RecordIdentity.deliveryMark(sequence: "2024-01-05/42", delivery: malformed) == nil, "\(malformed)")
        }

        var records = [TopicReadBack.Newest?](repeating: nil, count: 4)
        records[placed("M000007", among: 4)] = TopicReadBack.Newest(mark: "2024-01-05/42", detail: text, key: Array("M000007".utf8))
        let positions = try PublishedPositions.deliveryPositions(of: records, topic: "t", partitionCount: 4, epoch: epoch)
        #expect(positions.compactMap { $0 } == [mark])
        let later = DeliveryEpoch(first: Day(iso: "2024-01-06")!, last: Day(iso: "2024-01-06")!)
        #expect(try PublishedPositions.deliveryPositions(of: records, topic: "t", partitionCount: 4, epoch: later).compactMap { $0 } == [mark])
        let longer = DeliveryEpoch(first: epoch.first, last: Day(iso: "2024-01-10")!)
        let error = #expect(throws: KafkaError.self) {
            try PublishedPositions.deliveryPositions(of: records, topic: "t", partitionCount: 4, epoch: longer)
        }
        #expect(error?.description.contains("a run over 2024-01-01..2024-01-05") == true, "\(error?.description ?? "")")
        records[placed("M000007", among: 4)] = TopicReadBack.Newest(mark: "2024-01-05/42", detail: nil, key: Array("M000007".utf8))
        #expect(throws: KafkaError.self) { try PublishedPositions.deliveryPositions(of: records, topic: "t", partitionCount: 4, epoch: epoch) }
    }
}
