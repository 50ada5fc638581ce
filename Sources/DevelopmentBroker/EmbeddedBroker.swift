import CRdKafka
import KafkaClient
import Synchronization

/// librdkafka's mock cluster, running in this process and listening on loopback: a real
/// Kafka-protocol endpoint for runs with no cluster named, and for tests.
///
/// librdkafka 2.0.2's mock keeps only the newest ~5 MiB or 100k message sets of each partition
/// (older records are dropped silently) and does not replicate; it is a development broker, not
/// storage.
public final class EmbeddedBroker: @unchecked Sendable {
    /// Partitions of each topic unless asked otherwise: enough for a 90-day replay at scale 1
    /// (731,901 transactions; a partition keeps ~37,000 of them, and with 64 the fullest holds
    /// 19,651: see the embedded broker in Sources/Engine/Engine.docc/KafkaRecordsAndSchemas.md).
    public static let defaultPartitionCount = 64
    /// `host:port,…` to bootstrap from.
    public let bootstrapServers: String
    private let owner: OpaquePointer
    private let cluster: OpaquePointer
    private let destroyed = Atomic(false)

    /// Starts `brokerCount` brokers and creates `topics` with `partitions` partitions each, each
    /// partition assigned `replicationFactor` of the brokers (the mock answers for them; it copies nothing).
    public init(brokerCount: Int = 1, topics: [String], partitions: Int = EmbeddedBroker.defaultPartitionCount,
                replicationFactor: Int = 1) throws {
        let conf = rd_kafka_conf_new()!
        rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
        var error = [CChar](repeating: 0, count: 512)
        guard let owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError("cannot start the embedded broker: \(String(cBuffer: error))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(owner, Int32(brokerCount)) else {
            rd_kafka_destroy(owner)
            throw KafkaError("cannot start the embedded broker: the mock cluster did not start")
        }
        self.owner = owner
        self.cluster = cluster
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        for topic in topics {
            let code = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), Int32(replicationFactor))
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                shutDown()
                throw KafkaError("cannot create topic \(topic) on the embedded broker: \(String(cString: rd_kafka_err2str(code)))")
            }
        }
    }

    /// Creates `topic` with `partitions` partitions unless it exists; false when it could not be made.
    @discardableResult
    public func createTopic(_ topic: String, partitions: Int) -> Bool {
        let code = rd_kafka_mock_topic_create(cluster, topic, Int32(partitions), 1)
        return code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS
    }

    #if DEBUG
    // Faults the tests inject into the cluster; compiled into test (debug) builds only.

    /// Takes broker `id` (1-based) down or brings it back: its connections close and it refuses new ones.
    public func setBroker(_ id: Int, up: Bool) {
        _ = up ? rd_kafka_mock_broker_set_up(cluster, Int32(id)) : rd_kafka_mock_broker_set_down(cluster, Int32(id))
    }

    /// Makes the next `count` Produce requests fail with a retriable error (NOT_LEADER_FOR_PARTITION).
    public func failNextProduceRequests(_ count: Int) {
        let errors = [rd_kafka_resp_err_t](repeating: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, count: count)
        rd_kafka_mock_push_request_errors_array(cluster, 0 /* Produce */, errors.count, errors)
    }
    #endif

    public func shutDown() {
        // The first call destroys the cluster; a concurrent or later one returns.
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(owner)
    }

    deinit { shutDown() }
}
