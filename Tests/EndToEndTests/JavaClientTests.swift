import Foundation
import Testing

/// Apache Kafka's own Java client (3.9.1, compiled against here) reads `replay broker` directly:
/// its admin client describes the topics and lists their end offsets, a consumer group subscribes,
/// reads both topics to their ends and commits, and a second consumer of the group resumes from
/// the committed offsets. Every transaction row arrives exactly once, with the documented key,
/// timestamp and headers.
@Suite(.serialized) struct JavaClientTests {
    /// `java Reader BROKERS GROUP TOPIC…`: admin facts, then every record the group has not read
    /// yet, then the commit. One line each: `partitions TOPIC N`, `end TOPIC N`, and
    /// `R topic partition offset key timestamp replay_run replay_seq event_type schema_version value`,
    /// tab-separated; `committed N` at the end.
    static let reader = #"""
    import java.nio.charset.StandardCharsets;
    import java.time.Duration;
    import java.util.*;
    import org.apache.kafka.clients.admin.*;
    import org.apache.kafka.clients.consumer.*;
    import org.apache.kafka.common.*;
    import org.apache.kafka.common.header.Header;

    public class Reader {
        static String header(ConsumerRecord<String, String> r, String name) {
            Header h = r.headers().lastHeader(name);
            return h == null ? "-" : new String(h.value(), StandardCharsets.UTF_8);
        }

        public static void main(String[] args) throws Exception {
            String brokers = args[0], group = args[1];
            List<String> topics = Arrays.asList(args).subList(2, args.length);
            Properties properties = new Properties();
            properties.put("bootstrap.servers", brokers);
            Map<TopicPartition, Long> ends = new HashMap<>();
            try (Admin admin = Admin.create(properties)) {
                for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
                    System.out.println("partitions\t" + topic.name() + "\t" + topic.partitions().size());
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    for (TopicPartitionInfo partition : topic.partitions()) latest.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest());
                    long sum = 0;
                    for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : admin.listOffsets(latest).all().get().entrySet()) {
                        ends.put(end.getKey(), end.getValue().offset());
                        sum += end.getValue().offset();
                    }
                    System.out.println("end\t" + topic.name() + "\t" + sum);
                }
            }
            properties.put("group.id", group);
            properties.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
            properties.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
            properties.put("auto.offset.reset", "earliest");
            properties.put("enable.auto.commit", "false");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
                consumer.subscribe(topics);
                long deadline = System.currentTimeMillis() + 120_000;
                while (System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        System.out.println(String.join("\t", "R", r.topic(), String.valueOf(r.partition()), String.valueOf(r.offset()), r.key(),
                            String.valueOf(r.timestamp()), header(r, "replay_run"), header(r, "replay_seq"), header(r, "event_type"),
                            header(r, "schema_version"), r.value()));
                    }
                    Set<TopicPartition> assigned = consumer.assignment();
                    boolean done = !assigned.isEmpty() && assigned.size() == ends.size();
                    for (TopicPartition partition : assigned) done &= consumer.position(partition) >= ends.get(partition);
                    if (done) break;
                }
                consumer.commitSync();
                long committed = 0;
                for (OffsetAndMetadata offset : consumer.committed(ends.keySet()).values()) committed += offset == null ? 0 : offset.offset();
                System.out.println("committed\t" + committed);
            }
        }
    }
    """#

    struct Record {
        let topic: String
        let partition: Int
        let key: String
        let timestamp: Int64
        let run: String
        let sequence: String
        let eventType: String
        let schemaVersion: String
        let value: [String: Any]
    }

    struct Output {
        var partitions: [String: Int] = [:]
        var ends: [String: Int] = [:]
        var records: [Record] = []
        var committed = 0
    }

    func read(_ compiled: TemporaryFolder, classPath: String, brokers: String, group: String) throws -> Output {
        let result = try ChildProcess("/usr/bin/env", ["java", "-cp", classPath + ":" + compiled.path, "Reader", brokers, group,
                                                       "payments.merchants", "payments.transactions"]).finish()
        #expect(result.status == 0, "\(result.stderr.suffix(3000))")
        var output = Output()
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields[0] {
            case "partitions": output.partitions[fields[1]] = Int(fields[2])
            case "end": output.ends[fields[1]] = Int(fields[2])
            case "committed": output.committed = Int(fields[1])!
            case "R":
                let value = try JSONSerialization.jsonObject(with: Data(fields[10].utf8)) as! [String: Any]
                output.records.append(Record(topic: fields[1], partition: Int(fields[2])!, key: fields[4], timestamp: Int64(fields[5])!,
                                             run: fields[6], sequence: fields[7], eventType: fields[8], schemaVersion: fields[9], value: value))
            default: break
            }
        }
        return output
    }

    @Test(.timeLimit(.minutes(5)))
    func theJavaClientReadsBothTopicsExactlyOnceAndAGroupResumesFromItsCommit() throws {
        let classPath = try JVMTools.kafkaClientClassPath()
        let compiled = try JVMTools.compile(Self.reader, named: "Reader", classPath: classPath)
        let broker = try StandaloneBroker(partitions: 4)
        let folder = try TemporaryFolder()
        let history = try ReplayBinary.run(["--initial", "--start-date", "2024-01-01", "--end-date", "2024-01-02", "--output-dir", folder.path,
                                            "--brokers", broker.address, "--timezone", "America/New_York"])
        #expect(history.status == 0, "\(history.stderr)")

        let first = try read(compiled, classPath: classPath, brokers: broker.address, group: "pipeline")
        #expect(first.partitions == ["payments.merchants": 4, "payments.transactions": 4])
        let rows = CSVTable(try folder.lines("transactions_2024-01-01_2024-01-02.csv")).rows
        let merchantRows = try folder.lines("merchants_2024-01-01_2024-01-02.csv").count - 1
        let transactions = first.records.filter { $0.topic == "payments.transactions" }
        #expect(first.ends["payments.transactions"] == rows.count && first.ends["payments.merchants"] == merchantRows)
        #expect(transactions.count == rows.count)
        #expect(Set(transactions.map(\.sequence)).count == rows.count, "every replay_seq once")
        #expect(first.records.count - transactions.count == merchantRows)
        let byPayment = Dictionary(grouping: transactions) { $0.value["payment_id"] as! String }
        for row in rows {
            guard let record = byPayment[row["payment_id"]!]?.first, byPayment[row["payment_id"]!]?.count == 1 else {
                Issue.record("\(row["payment_id"]!) not exactly once")
                continue
            }
            #expect(record.key == row["merchant_id"])
            // January in New York is UTC-5: the record's timestamp is the wall-clock time's instant.
            #expect(record.timestamp == utcMilliseconds(row["payment_timestamp"]!) + 5 * 3_600_000)
            #expect(record.eventType == "transaction" && record.schemaVersion == "1" && record.run.count == 16)
            #expect(record.sequence.hasPrefix(row["payment_timestamp"]!.prefix(10) + "/"))
        }
        #expect(Set(first.records.map(\.run)).count == 1)
        #expect(first.committed == first.records.count)

        // Another day into the same topics: a second consumer of the group reads exactly that day.
        let day = try ReplayBinary.run(["--incremental", "--date", "2024-01-03", "-f", "--output-dir", folder.path, "--brokers", broker.address])
        #expect(day.status == 0, "\(day.stderr)")
        let second = try read(compiled, classPath: classPath, brokers: broker.address, group: "pipeline")
        let dayRows = CSVTable(try folder.lines("transactions_2024-01-03_2024-01-03.csv")).rows
        let dayPayments = second.records.filter { $0.topic == "payments.transactions" }.map { $0.value["payment_id"] as! String }
        #expect(dayPayments.sorted() == dayRows.map { $0["payment_id"]! }.sorted())
        #expect(second.committed == first.committed + second.records.count)
    }
}
