import Engine
import Foundation
import Simulation
import Yams

/// A scenario file (`--scenario FILE`): YAML that changes the payment lifecycle's rates from
/// their defaults. So far it holds the decline codes' shares:
///
/// ```yaml
/// authorizations:
///   decline_shares:      # each decline code's share of the declines; they add up to 1
///     "51": 0.6          # insufficient funds
///     "05": 0.4          # do not honor
/// ```
///
/// A code left out has no share; a file without `decline_shares` keeps the default shares. Everything is checked when the file is read: a file that cannot
/// be read, is not YAML, has a key this version does not know, a code that is not a decline code,
/// a share that is not a number from 0 to 1, or shares that do not add up to 1 is refused in one
/// line naming the file and the line.
public enum ScenarioFile {
    /// The scenario in the file at `path`.
    public static func read(_ path: String) throws -> LifecycleScenario {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw UserError("--scenario \(path): cannot read the file")
        }
        return try parse(text, named: path)
    }

    /// The scenario in `text`, read from the file `name` (for the errors).
    public static func parse(_ text: String, named name: String) throws -> LifecycleScenario {
        func refuse(_ problem: String, at node: Node? = nil) -> UserError {
            UserError("--scenario \(name)\(node?.mark.map { " line \($0.line)" } ?? ""): \(problem)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw refuse("not YAML: \(String(describing: error).split(separator: "\n").joined(separator: " "))")
        }
        guard let root else { return .standard }
        guard let top = root.mapping else { throw refuse("expected a mapping with the key authorizations", at: root) }
        var shares: [(code: String, share: Double)]?
        for (key, value) in top {
            guard key.string == "authorizations" else { throw refuse("unknown key '\(key.string ?? "?")': the keys are authorizations", at: key) }
            guard let section = value.mapping else { throw refuse("authorizations must be a mapping with the key decline_shares", at: value) }
            for (key, value) in section {
                guard key.string == "decline_shares" else {
                    throw refuse("unknown key 'authorizations.\(key.string ?? "?")': the keys are decline_shares", at: key)
                }
                guard let codes = value.mapping else { throw refuse("decline_shares must map decline codes to shares", at: value) }
                shares = []
                for (code, share) in codes {
                    guard let text = code.scalar?.string, let number = share.scalar.flatMap({ Double($0.string) }) else {
                        throw refuse("decline_shares must map decline codes to numbers", at: share)
                    }
                    guard !shares!.contains(where: { $0.code == text }) else { throw refuse("the code \(text) appears twice", at: code) }
                    shares!.append((text, number))
                }
            }
        }
        // What the file leaves out keeps its default.
        guard let shares else { return .standard }
        do {
            return try LifecycleScenario(declineShares: shares)
        } catch {
            throw refuse(error.description)
        }
    }
}
