import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Listens on 127.0.0.1:`port` and relays every connection, both ways, to the embedded broker.
///
/// librdkafka 2.0.2's mock cluster listens on a port of its own choosing. The relay gives it a
/// fixed bootstrap address; clients then follow the broker address that Metadata advertises.
public final class BootstrapRelay: @unchecked Sendable {
    public let port: UInt16
    private let targetPort: UInt16
    private let listener: Int32

    /// Fails with a one-line error when `port` cannot be listened on (e.g. already in use).
    public init(port: UInt16, relayingTo target: String) throws {
        guard let portText = target.split(separator: ",")[0].split(separator: ":").last, let targetPort = UInt16(portText) else {
            throw KafkaError("cannot relay to \(target): no port")
        }
        self.port = port
        self.targetPort = targetPort
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw KafkaError("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    /// Stops accepting connections.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptConnections() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(client)
                close(upstream)
                continue
            }
            Thread.detachNewThread { Self.pump(client, upstream) }
        }
    }

    /// Copies bytes between two sockets until either side closes.
    private static func pump(_ first: Int32, _ second: Int32) {
        var descriptors = [pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        relay: while poll(&descriptors, 2, -1) >= 0 {
            for (index, descriptor) in descriptors.enumerated() where descriptor.revents != 0 {
                let other = index == 0 ? second : first
                let count = read(descriptor.fd, &chunk, chunk.count)
                guard count > 0 else { break relay }
                var sent = 0
                while sent < count {
                    let written = chunk.withUnsafeBytes { write(other, $0.baseAddress! + sent, count - sent) }
                    guard written > 0 else { break relay }
                    sent += written
                }
            }
        }
        close(first)
        close(second)
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
