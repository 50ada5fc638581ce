import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// For the Avro benchmark row only: an HTTP listener on 127.0.0.1 that answers every request with
/// schema id 1, as a Schema Registry answers a registration (`{"id": 1}`), so that the row
/// measures the replay's Avro path, not a registry. It serves until the process ends.
final class BenchRegistry: @unchecked Sendable {
    let url: String
    private let listener: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listener >= 0, bound else { throw UserError("benchmark: cannot listen on 127.0.0.1") }
        self.listener = listener
        url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{\"id\":1}".utf8)
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { continue }
            var request: [UInt8] = []
            var block = [UInt8](repeating: 0, count: 4_096)
            // Reads the head and the body that Content-Length announces.
            while true {
                let count = block.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                request += block[..<count]
                let text = String(decoding: request, as: UTF8.self)
                guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
                let length = text[..<headEnd.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length { break }
            }
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }
}
