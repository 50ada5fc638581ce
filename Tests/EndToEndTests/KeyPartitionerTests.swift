import DevelopmentBroker
import Foundation
import Records
import KafkaClient
import Testing

/// Keys land on the partition the Java client and librdkafka's `murmur2_random` pick.
@Suite struct KeyPartitionerTests {
    /// Kafka's own vectors (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2).
    @Test(arguments: [("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
                      ("a-little-bit-longer-string", -1_486_304_829),
                      ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107)])
    func murmur2MatchesKafkasTestVectors(key: String, hash: Int32) {
        #expect(Array(key.utf8).withUnsafeBytes(KeyPartitioner.murmur2) == hash)
    }

    /// Keys of every length modulo 4 (`M000001`…, `1`…`300`), produced by kcat with `partitioner=murmur2_random`.
    @Test func everyKeyLandsWhereLibrdkafkaPutsIt() throws {
        let broker = try EmbeddedBroker(topics: ["parts"], partitions: 7)
        defer { broker.shutDown() }
        let keys = (1...300).map { "M" + String(format: "%06d", $0) } + (1...300).map { String($0) }
        try Kcat.produce(keys.map { $0 + ":{}" }, to: "parts", at: broker.bootstrapServers,
                         options: ["-K", ":", "-X", "partitioner=murmur2_random"])
        let records = try Kcat.consume("parts", from: broker.bootstrapServers)
        #expect(records.map(\.key).sorted() == keys.sorted())
        #expect(Set(records.map(\.partition)).count == 7)
        for record in records {
            let expected = Array(record.key.utf8).withUnsafeBytes { KeyPartitioner.partition(ofKey: $0, partitionCount: 7) }
            #expect(Int(expected) == record.partition, "key \(record.key)")
        }
    }
}
