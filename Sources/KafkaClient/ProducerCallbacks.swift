import CRdKafka
import Foundation

/// Where librdkafka's producer callbacks report: delivery reports and error events to the
/// `DeliveryLedger`, log lines and error events to the `ClientLog` (if the producer has a logger;
/// without one, librdkafka's lines are dropped rather than printed on stderr). It is the
/// configuration's opaque, so it must outlive the handle.
final class ProducerCallbacks: @unchecked Sendable {
    let ledger: DeliveryLedger
    let log: ClientLog?

    init(ledger: DeliveryLedger, log: ClientLog?) {
        self.ledger = ledger
        self.log = log
    }

    /// Sets this object as the opaque of `conf`, and the delivery report, error, log and statistics
    /// callbacks; log lines are queued (`log.queue`) for the thread that polls, as the other callbacks are.
    func install(on conf: OpaquePointer) {
        var message = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_conf_set(conf, "log.queue", "true", &message, message.count)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            let report = message.pointee
            let error = report.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2str(report.err))
            ProducerCallbacks.of(opaque).ledger.delivered(
                topic: Int(bitPattern: report._private) - 1, partition: Int(report.partition), offset: report.offset,
                bytes: report.len + report.key_len, error: error)
        }
        rd_kafka_conf_set_error_cb(conf) { handle, code, reason, opaque in
            guard let opaque else { return }
            let callbacks = ProducerCallbacks.of(opaque)
            let error = rd_kafka_resp_err_t(code)
            var message = reason.map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(error))
            let fatal = error == RD_KAFKA_RESP_ERR__FATAL
            if fatal, let handle {
                var detail = [CChar](repeating: 0, count: 512)
                rd_kafka_fatal_error(handle, &detail, detail.count)
                message = String(cBuffer: detail)
            }
            callbacks.ledger.clientError(message, fatal: fatal)
            guard let log = callbacks.log, let handle, log.accepts(fatal ? .critical : .error) else { return }
            log.error(message, code: String(cString: rd_kafka_err2name(error)), fatal: fatal, client: String(cString: rd_kafka_name(handle)))
        }
        rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
            guard let json, let opaque else { return 0 }
            let up = ProducerCallbacks.brokersUp(inStatistics: UnsafeBufferPointer(start: json, count: length))
            if let up { ProducerCallbacks.of(opaque).ledger.brokersUp = up }
            return 0  // librdkafka frees the JSON
        }
        // Called on the poll thread (log.queue): only field reads (rd_kafka_opaque, rd_kafka_name)
        // and a hand-off to the thread-safe log.
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, text in
            guard let handle, let opaque = rd_kafka_opaque(handle), let log = ProducerCallbacks.of(opaque).log else { return }
            let mapped = ClientLog.level(ofSyslog: level)
            guard log.accepts(mapped), let text else { return }
            log.line(String(cString: text), level: mapped, facility: facility.map { String(cString: $0) } ?? "",
                     client: String(cString: rd_kafka_name(handle)))
        }
    }

    /// The brokers in state UP in a statistics report (`statistics.interval.ms`); bootstrap
    /// entries (node id -1) do not count.
    static func brokersUp(inStatistics json: UnsafeBufferPointer<CChar>) -> Int? {
        let data = Data(buffer: json)
        guard let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let brokers = report["brokers"] as? [String: [String: Any]] else { return nil }
        return brokers.values.filter { ($0["nodeid"] as? Int ?? -1) >= 0 && $0["state"] as? String == "UP" }.count
    }

    private static func of(_ opaque: UnsafeMutableRawPointer) -> ProducerCallbacks {
        Unmanaged<ProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }
}
