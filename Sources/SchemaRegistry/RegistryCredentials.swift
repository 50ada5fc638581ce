import Foundation

/// HTTP basic authentication for the registry. With the Confluent clients'
/// `basic.auth.credentials.source` set, only from where it says: `USER_INFO` reads
/// `basic.auth.user.info`, `URL` the registry URL's `user:password@`, and credentials in the other
/// place are refused rather than ignored. Unset, from whichever of the two holds them (both is
/// refused as ambiguous). `source` names where they came from, for messages; the password is never shown.
struct RegistryCredentials: Sendable {
    /// `user:password`.
    let userInfo: String
    /// Where they came from, as messages name it.
    let source: String

    var user: Substring { userInfo.prefix { $0 != ":" } }
    var authorization: String { "Basic " + Data(userInfo.utf8).base64EncodedString() }

    /// A property's name, value and where it was set.
    typealias Setting = (name: String, value: String, origin: String)

    /// The credentials `sourceSetting` (`basic.auth.credentials.source`, if set) picks among
    /// `userInfoSetting` and the URL's user info (`urlUserInfo`, decoded); nil for none.
    static func pick(source sourceSetting: Setting?, userInfo userInfoSetting: Setting?, urlUserInfo: String?) throws -> RegistryCredentials? {
        guard let sourceSetting else {
            switch (userInfoSetting, urlUserInfo) {
            case (nil, nil):
                return nil
            case let (setting?, nil):
                return RegistryCredentials(userInfo: setting.value, source: "\(setting.name) (\(setting.origin))")
            case let (nil, fromURL?):
                return RegistryCredentials(userInfo: fromURL, source: "the registry URL's user:password")
            case let (setting?, _?):
                throw SchemaRegistryError("credentials both in the registry URL and in \(setting.name) (\(setting.origin)): "
                    + "keep one, or set basic.auth.credentials.source to URL or USER_INFO")
            }
        }
        let source = "\(sourceSetting.name)=\(sourceSetting.value) (\(sourceSetting.origin))"
        if sourceSetting.value == "URL" {
            if let userInfoSetting {
                throw SchemaRegistryError("\(userInfoSetting.name) (\(userInfoSetting.origin)) is not read with \(source): remove one of them")
            }
            guard let urlUserInfo else { throw SchemaRegistryError("\(source) needs user:password@ in the registry URL") }
            return RegistryCredentials(userInfo: urlUserInfo, source: "the registry URL's user:password (\(source))")
        }
        if urlUserInfo != nil {
            throw SchemaRegistryError("the registry URL's user:password is not read with \(source): set basic.auth.credentials.source=URL in --kafka-config, or use basic.auth.user.info")
        }
        guard let userInfoSetting else { throw SchemaRegistryError("\(source) needs basic.auth.user.info") }
        return RegistryCredentials(userInfo: userInfoSetting.value, source: "\(userInfoSetting.name) (\(userInfoSetting.origin))")
    }
}
