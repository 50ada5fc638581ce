import Foundation

/// Reads a topic from the beginning to its end with Confluent's Python client: `confluent-kafka`'s
/// Consumer, its `SchemaRegistryClient` (which fetches each schema by the id in the record) and
/// `AvroDeserializer`. Decimals come back as text (exact), dates and local timestamps in ISO form.
enum RegistryConsumer {
    struct Record {
        let key: String
        let headers: [String: String]
        let value: [String: Any]
    }

    static func consume(_ topic: String, from brokers: String, registry: String, user: String? = nil) throws -> [Record] {
        let result = try ChildProcess("/usr/bin/env", ["python3", "-c", script, brokers, topic, registry, user ?? ""]).finish()
        guard result.status == 0 else { throw ConsumerFailed(message: result.stderr) }
        return try result.stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return Record(key: object["key"] as! String, headers: object["headers"] as! [String: String],
                          value: object["value"] as! [String: Any])
        }
    }

    struct ConsumerFailed: Error { let message: String }

    static let script = #"""
import datetime, decimal, json, sys
from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

brokers, topic, url, user = sys.argv[1:5]
conf = {"url": url}
if user:
    conf["basic.auth.user.info"] = user
deserializer = AvroDeserializer(SchemaRegistryClient(conf))
consumer = Consumer({"bootstrap.servers": brokers, "group.id": "registry-consumer", "enable.partition.eof": True,
                     "auto.offset.reset": "earliest", "enable.auto.commit": False})
partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
ended = set()

def plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value

while len(ended) < len(partitions):
    message = consumer.poll(30)
    if message is None:
        sys.exit("no message within 30 s")
    if message.error():
        if message.error().code() == KafkaError._PARTITION_EOF:
            ended.add(message.partition())
            continue
        sys.exit(str(message.error()))
    value = deserializer(message.value(), SerializationContext(topic, MessageField.VALUE, message.headers()))
    print(json.dumps({"key": message.key().decode(), "headers": {k: v.decode() for k, v in message.headers() or []},
                      "value": {k: plain(v) for k, v in value.items()}}))
consumer.close()
"""#
}
