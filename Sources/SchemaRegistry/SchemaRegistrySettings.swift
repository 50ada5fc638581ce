import Foundation

/// Where the Schema Registry is and how to log in: the URL (`--schema-registry` or
/// `schema.registry.url`) and the Confluent clients' properties from the `--kafka-config` file
/// (`basic.auth.credentials.source`, `basic.auth.user.info` or `schema.registry.basic.auth.user.info`).
/// TLS uses this system's CA store (an `https` URL); a private CA is installed there, not named in
/// a property. Messages show the URL without credentials and never a password.
public struct SchemaRegistrySettings: Sendable {
    /// The base URL, without user info.
    public let url: URL
    /// `user:password` for HTTP basic authentication.
    let userInfo: String?

    /// The properties this client reads from a `--kafka-config` file (`schema.registry.*`,
    /// `basic.auth.*`); librdkafka never sees them.
    public static func isRegistryProperty(_ name: String) -> Bool {
        name.hasPrefix("schema.registry.") || name.hasPrefix("basic.auth.")
    }

    /// `flagURL` wins over `schema.registry.url`; `properties` are (name, value, where) of the
    /// registry's properties. A URL may carry `user:password@` (credentials source URL).
    public init(flagURL: String?, properties: [(name: String, value: String, origin: String)]) throws {
        var urlText = flagURL
        var source = "USER_INFO"
        var userInfo: String?
        for (name, value, origin) in properties {
            switch name {
            case "schema.registry.url": urlText = urlText ?? value
            case "basic.auth.credentials.source", "schema.registry.basic.auth.credentials.source":
                guard ["USER_INFO", "URL"].contains(value) else {
                    throw SchemaRegistryError("\(name) (\(origin)) must be USER_INFO or URL")
                }
                source = value
            case "basic.auth.user.info", "schema.registry.basic.auth.user.info":
                guard value.contains(":") else { throw SchemaRegistryError("\(name) (\(origin)) must be user:password") }
                userInfo = value
            default:
                if name.contains(".ssl.") {
                    throw SchemaRegistryError("\(name) (\(origin)) is not supported: replay trusts the system's CA store for an https registry (add a private CA there)")
                }
                throw SchemaRegistryError("\(name) (\(origin)) is not a Schema Registry property replay knows (schema.registry.url, basic.auth.credentials.source, basic.auth.user.info)")
            }
        }
        guard let urlText else { throw SchemaRegistryError("--format avro needs --schema-registry URL (or schema.registry.url in --kafka-config)") }
        guard var components = URLComponents(string: urlText), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw SchemaRegistryError("--schema-registry must be an http:// or https:// URL with a host, got '\(Self.redacting(urlText))'")
        }
        if let user = components.user {
            if source == "URL" || userInfo == nil {
                userInfo = user.removingPercentEncoding.map { $0 + ":" + (components.password?.removingPercentEncoding ?? "") }
            }
            components.user = nil
            components.password = nil
        }
        if components.path.hasSuffix("/") { components.path.removeLast() }
        guard let url = components.url else { throw SchemaRegistryError("--schema-registry '\(Self.redacting(urlText))' is not a URL") }
        self.url = url
        self.userInfo = userInfo
    }

    /// The URL as messages show it, and the login user if any (never the password).
    public var description: String {
        url.absoluteString + (userInfo.map { " (basic auth as \($0.prefix { $0 != ":" }))" } ?? "")
    }

    /// `text` with anything between `//` and `@` hidden.
    static func redacting(_ text: String) -> String {
        guard let start = text.range(of: "//"), let at = text[start.upperBound...].firstIndex(of: "@") else { return text }
        return text[..<start.upperBound] + "***" + text[at...]
    }
}

/// A Schema Registry failure, in one line that names the registry and never a secret.
public struct SchemaRegistryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
