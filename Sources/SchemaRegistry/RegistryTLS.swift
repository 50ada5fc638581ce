import Foundation
import NIOSSL

/// The TLS side of an `https` registry, from the Confluent clients' `schema.registry.ssl.*`
/// properties: `ca.location` (PEM file of the CA(s) to trust, instead of this system's CA store),
/// `certificate.location` and `key.location` (a client certificate chain and its key, PEM;
/// `key.password` for an encrypted key) and `endpoint.identification.algorithm` (`https`, the
/// default: the certificate must name the host; `none`: it need not). Files are read and checked
/// here, before anything connects; a message names the property and the file, never the password.
struct RegistryTLS: Sendable {
    static let caLocation = "schema.registry.ssl.ca.location"
    static let certificateLocation = "schema.registry.ssl.certificate.location"
    static let keyLocation = "schema.registry.ssl.key.location"
    static let keyPassword = "schema.registry.ssl.key.password"
    static let endpointIdentification = "schema.registry.ssl.endpoint.identification.algorithm"
    static let properties = [caLocation, certificateLocation, keyLocation, keyPassword, endpointIdentification]

    /// A property's value and where it was set.
    typealias Setting = (value: String, origin: String)

    let configuration: TLSConfiguration

    /// `settings` holds the properties above that were set, by name.
    init(_ settings: [String: Setting]) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let ca = settings[Self.caLocation] {
            configuration.trustRoots = .certificates(try Self.certificates(Self.caLocation, ca))
        }
        switch (settings[Self.certificateLocation], settings[Self.keyLocation]) {
        case let (certificate?, key?):
            configuration.certificateChain = try Self.certificates(Self.certificateLocation, certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try Self.privateKey(key, password: settings[Self.keyPassword]?.value))
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw SchemaRegistryError("\(Self.keyLocation) (\(key.origin)): the key in \(key.value) does not go with the certificate in \(certificate.value)")
            }
        case let (certificate?, nil):
            throw SchemaRegistryError("\(Self.certificateLocation) (\(certificate.origin)) needs \(Self.keyLocation) too")
        case let (nil, key?):
            throw SchemaRegistryError("\(Self.keyLocation) (\(key.origin)) needs \(Self.certificateLocation) too")
        case (nil, nil):
            if let password = settings[Self.keyPassword] {
                throw SchemaRegistryError("\(Self.keyPassword) (\(password.origin)) goes with \(Self.keyLocation)")
            }
        }
        if let algorithm = settings[Self.endpointIdentification] {
            switch algorithm.value.lowercased() {
            case "https": configuration.certificateVerification = .fullVerification
            case "none": configuration.certificateVerification = .noHostnameVerification
            default: throw SchemaRegistryError("\(Self.endpointIdentification) (\(algorithm.origin)) must be https or none")
            }
        }
        self.configuration = configuration
    }

    /// The PEM certificates of the file a property names (at least one).
    private static func certificates(_ name: String, _ setting: Setting) throws -> [NIOSSLCertificate] {
        let bytes = try contents(name, setting)
        guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
            throw SchemaRegistryError("\(name) (\(setting.origin)): \(setting.value) holds no PEM certificate")
        }
        return certificates
    }

    /// The PEM private key of `key.location`, decrypted with `password` when it is encrypted.
    private static func privateKey(_ setting: Setting, password: String?) throws -> NIOSSLPrivateKey {
        let bytes = try contents(keyLocation, setting)
        // A callback always: without one, BoringSSL would ask for a passphrase on the terminal.
        let passphrase = Array((password ?? "").utf8)
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem) { (setter: NIOSSLPassphraseSetter<[UInt8]>) in setter(passphrase) }
        } catch {
            let hint = password == nil ? " (or it is encrypted: set \(keyPassword))" : " that \(keyPassword) decrypts"
            throw SchemaRegistryError("\(keyLocation) (\(setting.origin)): \(setting.value) holds no PEM private key\(hint)")
        }
    }

    /// The bytes of the file a property names.
    private static func contents(_ name: String, _ setting: Setting) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: setting.value) else {
            throw SchemaRegistryError("\(name) (\(setting.origin)): no file \(setting.value)")
        }
        guard let data = FileManager.default.contents(atPath: setting.value) else {
            throw SchemaRegistryError("\(name) (\(setting.origin)): cannot read \(setting.value)")
        }
        return [UInt8](data)
    }
}
