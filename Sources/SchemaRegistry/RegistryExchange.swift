import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request to the registry and its answer, through AsyncHTTPClient: connect, TLS and answer
/// all within `timeout` (a deadline on the request, as well as AsyncHTTPClient's connect and read
/// timeouts), so a registry that accepts and stays silent fails instead of hanging; `stopRequested`
/// (asked every quarter second) cancels it sooner. A failed connection is not retried. Failures
/// are one-line `SchemaRegistryError`s.
struct RegistryExchange {
    let settings: SchemaRegistrySettings
    let timeout: TimeInterval
    var stopRequested: @Sendable () -> Bool = { false }

    /// Sends `body` (JSON) with `method` to `path` under the registry's URL; the status and body.
    func send(_ method: HTTPMethod, _ path: String, body: Data) throws -> (status: Int, body: Data) {
        let limit = TimeAmount.nanoseconds(Int64(timeout * 1_000_000_000))
        var configuration = HTTPClient.Configuration(tlsConfiguration: settings.tls?.configuration, timeout: .init(connect: limit, read: limit))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { try? client.syncShutdown() }
        do {
            var request = try HTTPClient.Request(url: settings.url.absoluteString + path, method: method)
            request.headers.add(name: "Content-Type", value: "application/vnd.schemaregistry.v1+json")
            request.headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
            if let credentials = settings.credentials { request.headers.add(name: "Authorization", value: credentials.authorization) }
            request.body = .bytes(body)
            let task = client.execute(request: request, delegate: ResponseAccumulator(request: request), deadline: .now() + limit)
            let done = DispatchSemaphore(value: 0)
            task.futureResult.whenComplete { _ in done.signal() }
            while done.wait(timeout: .now() + 0.25) == .timedOut {
                if stopRequested() { task.cancel() }
            }
            if stopRequested() {
                throw SchemaRegistryError("stopped on request before the schema registry at \(settings.description) answered", stoppedOnRequest: true)
            }
            let response = try task.futureResult.wait()
            return (Int(response.status.code), response.body.map { Data($0.readableBytesView) } ?? Data())
        } catch let error as SchemaRegistryError where error.stoppedOnRequest {
            throw error
        } catch {
            throw SchemaRegistryError("cannot reach the schema registry at \(settings.description): \(reason(error))")
        }
    }

    /// Why a request failed, in words.
    private func reason(_ error: Error) -> String {
        switch error {
        case let error as HTTPClientError:
            if [.connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout, .deadlineExceeded, .getConnectionFromPoolTimeout].contains(error) {
                return "no answer within \(String(format: "%g", timeout)) s"
            }
            if error == .remoteConnectionClosed { return "the connection was closed before an answer" }
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty { return "unknown host \(error.host)" }
            if let first = error.connectionErrors.first { return reason(first.error) }
        case let error as IOError:
            return error.errnoCode == ECONNREFUSED ? "connection refused" : String(cString: strerror(error.errnoCode)).lowercased()
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "the registry's certificate does not name \(settings.url.host ?? "its host") (or set \(RegistryTLS.endpointIdentification)=none)"
        case is NIOSSLError, is BoringSSLError:
            let code = Self.boringSSLCode(of: error)
            if code == "CERTIFICATE_VERIFY_FAILED" {
                return "the TLS handshake failed: the registry's certificate is not trusted (name its CA in \(RegistryTLS.caLocation))"
            }
            if let code, code.contains("ALERT"), code.contains("CERTIFICATE") {
                return "the registry refused the TLS client certificate, or its absence (\(code); see \(RegistryTLS.certificateLocation))"
            }
            return "the TLS handshake failed (\(code ?? SchemaRegistryClient.oneLine("\(error)")))"
        default:
            break
        }
        return SchemaRegistryClient.oneLine("\(error)")
    }

    /// BoringSSL's reason code in a TLS error (`WRONG_VERSION_NUMBER` of
    /// `error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER at …`), if it has one.
    private static func boringSSLCode(of error: Error) -> String? {
        let text = "\(error)"
        guard let marker = text.range(of: "OPENSSL_internal:") else { return nil }
        return String(text[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }
}
