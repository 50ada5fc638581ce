import Foundation

/// Where the Schema Registry is, how to log in and how to trust it: the URL (`--schema-registry`
/// or `schema.registry.url`) and the Confluent clients' properties from the `--kafka-config` file:
/// `basic.auth.credentials.source`, `basic.auth.user.info` or `schema.registry.basic.auth.user.info`
/// (see `RegistryCredentials`) and `schema.registry.ssl.*` (see `RegistryTLS`). Messages show the
/// URL without credentials and never a password.
public struct SchemaRegistrySettings: Sendable {
    /// The base URL, without user info.
    public let url: URL
    /// HTTP basic authentication, if any.
    let credentials: RegistryCredentials?
    /// TLS for an `https` URL (this system's CA store unless `schema.registry.ssl.ca.location`).
    let tls: RegistryTLS?

    /// The properties this client reads from a `--kafka-config` file (`schema.registry.*`,
    /// `basic.auth.*`); librdkafka never sees them.
    public static func isRegistryProperty(_ name: String) -> Bool {
        name.hasPrefix("schema.registry.") || name.hasPrefix("basic.auth.")
    }

    /// `flagURL` wins over `schema.registry.url`; `properties` are (name, value, where) of the
    /// registry's properties, later ones winning. Files the TLS properties name are read here.
    public init(flagURL: String?, properties: [(name: String, value: String, origin: String)]) throws {
        var urlText = flagURL
        var source: RegistryCredentials.Setting?
        var userInfo: RegistryCredentials.Setting?
        var ssl: [String: RegistryTLS.Setting] = [:]
        for (name, value, origin) in properties {
            switch name {
            case "schema.registry.url": urlText = flagURL ?? value
            case "basic.auth.credentials.source", "schema.registry.basic.auth.credentials.source":
                guard ["USER_INFO", "URL"].contains(value) else {
                    throw SchemaRegistryError("\(name) (\(origin)) must be USER_INFO or URL")
                }
                source = (name, value, origin)
            case "basic.auth.user.info", "schema.registry.basic.auth.user.info":
                guard value.contains(":") else { throw SchemaRegistryError("\(name) (\(origin)) must be user:password") }
                userInfo = (name, value, origin)
            case _ where RegistryTLS.properties.contains(name):
                ssl[name] = (value, origin)
            case _ where name.contains(".ssl."):
                throw SchemaRegistryError("\(name) (\(origin)) is not a Schema Registry TLS property replay knows (\(RegistryTLS.properties.joined(separator: ", ")))")
            default:
                throw SchemaRegistryError("\(name) (\(origin)) is not a Schema Registry property replay knows (schema.registry.url, basic.auth.credentials.source, basic.auth.user.info, schema.registry.ssl.*)")
            }
        }
        guard let urlText else { throw SchemaRegistryError("--format avro needs --schema-registry URL (or schema.registry.url in --kafka-config)") }
        guard var components = URLComponents(string: urlText), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw SchemaRegistryError("--schema-registry must be an http:// or https:// URL with a host, got '\(Self.redacting(urlText))'")
        }
        // The user and password as written, percent-decoded once.
        let urlUserInfo = components.percentEncodedUser.map { user in
            [user, components.percentEncodedPassword ?? ""].map { $0.removingPercentEncoding ?? $0 }.joined(separator: ":")
        }
        components.percentEncodedUser = nil
        components.percentEncodedPassword = nil
        if components.path.hasSuffix("/") { components.path.removeLast() }
        guard let url = components.url else { throw SchemaRegistryError("--schema-registry '\(Self.redacting(urlText))' is not a URL") }
        if scheme == "http", let (name, setting) = ssl.min(by: { $0.key < $1.key }) {
            throw SchemaRegistryError("\(name) (\(setting.origin)) goes with an https:// registry, not \(url.absoluteString)")
        }
        self.url = url
        self.credentials = try RegistryCredentials.pick(source: source, userInfo: userInfo, urlUserInfo: urlUserInfo)
        self.tls = scheme == "https" ? try RegistryTLS(ssl) : nil
    }

    /// The URL as messages show it, and the login user if any (never the password).
    public var description: String {
        url.absoluteString + (credentials.map { " (basic auth as \($0.user))" } ?? "")
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
    /// True when the exchange ended early because the process was asked to stop.
    public var stoppedOnRequest = false

    init(_ description: String, stoppedOnRequest: Bool = false) {
        self.description = description
        self.stoppedOnRequest = stoppedOnRequest
    }
}
