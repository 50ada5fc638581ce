import Engine
import Foundation
import Simulation
import Yams

/// A scenario file (`--scenario FILE`): YAML that changes the payment lifecycle's rates from
/// their defaults. So far it holds the decline codes' shares, the refund rates and the dispute rate:
///
/// ```yaml
/// authorizations:
///   decline_shares:      # each decline code's share of the declines; they add up to 1
///     "51": 0.6          # insufficient funds
///     "05": 0.4          # do not honor
/// refunds:
///   rate: 0.1            # share of approved payments refunded
///   mean_wait_days: 3    # mean wait after the first day (exponential, cut off at 60 days)
/// disputes:
///   rate: 0.01           # share of approved payments without a refund that are disputed
/// ```
///
/// A code left out has no share; what the file leaves out keeps its default. Everything is
/// checked when the file is read: a file that cannot be read, is not YAML, has a key this version
/// does not know, a code that is not a decline code, a share that is not a number from 0 to 1,
/// shares that do not add up to 1, a refund or dispute rate not from 0 to 1 or a mean wait not
/// from 0.1 to 30 days is refused in one line naming the file and, where it can, the line.
public enum ScenarioFile {
    /// The largest file read: a scenario is a few lines, and a larger file is a mistake (or YAML
    /// aliases built to expand without end).
    static let sizeLimit = 64 << 10

    /// The scenario in the file at `path`: a regular file (a pipe or a device could keep the run
    /// waiting, or feed it without end), of which at most `sizeLimit` bytes are read.
    public static func read(_ path: String) throws -> LifecycleScenario {
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeRegular, let file = FileHandle(forReadingAtPath: path) else {
            throw UserError("--scenario \(path): cannot read the file\(type == nil || type == .typeRegular ? "" : " (not a regular file)")")
        }
        defer { try? file.close() }
        // An empty file reads as nil.
        guard let data = try? file.read(upToCount: sizeLimit + 1) ?? Data(), let text = String(data: data, encoding: .utf8) else {
            throw UserError("--scenario \(path): cannot read the file as UTF-8 text")
        }
        guard data.count <= sizeLimit else { throw UserError("--scenario \(path): larger than \(sizeLimit >> 10) KiB, which no scenario needs") }
        return try parse(text, named: path)
    }

    /// The scenario in `text`, read from the file `name` (for the errors).
    public static func parse(_ text: String, named name: String) throws -> LifecycleScenario {
        func refuse(_ problem: String, at node: Node? = nil) -> UserError {
            UserError("--scenario \(name)\(node?.mark.map { " line \($0.line)" } ?? ""): \(problem)")
        }
        func refuseAt(_ problem: String, _ node: Node?) -> UserError { refuse(problem, at: node) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            // Yams' message goes on to quote the file: its first line says what is wrong, and where.
            throw refuse("not YAML: \(String(describing: error).split(whereSeparator: \.isNewline).first ?? "")")
        }
        guard let root, root.null == nil else { return .standard }
        guard let top = root.mapping else { throw refuse("expected a mapping with the keys authorizations, refunds and disputes", at: root) }
        var shares: [(code: String, share: Double)]?
        var refundRate: Double?, meanWait: Double?, disputeRate: Double?
        for (key, value) in top {
            guard value.null == nil else { continue }
            switch key.string {
            case "authorizations":
                guard let section = value.mapping else { throw refuse("authorizations must be a mapping with the key decline_shares", at: value) }
                for (key, value) in section {
                    guard key.string == "decline_shares" else { throw refuse("unknown key authorizations.\(shown(key)): the keys are decline_shares", at: key) }
                    shares = try declineShares(value, refuseAt)
                }
            case "refunds":
                guard let section = value.mapping else { throw refuse("refunds must be a mapping with the keys rate and mean_wait_days", at: value) }
                for (key, value) in section {
                    guard let number = number(value) else { throw refuse("refunds.\(shown(key)) is \(shown(value)), not a number", at: value) }
                    switch key.string {
                    case "rate": refundRate = number
                    case "mean_wait_days": meanWait = number
                    default: throw refuse("unknown key refunds.\(shown(key)): the keys are rate, mean_wait_days", at: key)
                    }
                }
            case "disputes":
                guard let section = value.mapping else { throw refuse("disputes must be a mapping with the key rate", at: value) }
                for (key, value) in section {
                    guard key.string == "rate" else { throw refuse("unknown key disputes.\(shown(key)): the keys are rate", at: key) }
                    guard let number = number(value) else { throw refuse("disputes.\(shown(key)) is \(shown(value)), not a number", at: value) }
                    disputeRate = number
                }
            default:
                throw refuse("unknown key \(shown(key)): the keys are authorizations, refunds, disputes", at: key)
            }
        }
        // What the file leaves out keeps its default.
        let standard = LifecycleScenario.standard
        do {
            let refunds = try RefundRates(rate: refundRate ?? standard.refunds.rate, meanWaitDays: meanWait ?? standard.refunds.meanWaitDays)
            let disputes = try DisputeRates(rate: disputeRate ?? standard.disputes.rate)
            guard let shares else { return standard.with(refunds: refunds, disputes: disputes) }
            return try LifecycleScenario(declineShares: shares, refunds: refunds, disputes: disputes)
        } catch {
            throw refuse(error.description)
        }
    }

    /// The decline shares of a `decline_shares` mapping, each code and share checked.
    private static func declineShares(_ value: Node, _ refuse: (String, Node?) -> UserError) throws -> [(code: String, share: Double)] {
        guard let codes = value.mapping else { throw refuse("decline_shares must map decline codes to shares", value) }
        var shares: [(code: String, share: Double)] = []
        for (code, share) in codes {
            guard let text = code.scalar?.string, AuthorizationResponse.declineShares.contains(where: { $0.response.code == text }) else {
                throw refuse("\(shown(code)) is not a decline code: use one of "
                    + AuthorizationResponse.declineShares.map(\.response.code).joined(separator: ", "), code)
            }
            guard let number = number(share), (0...1).contains(number) else {
                throw refuse("the share of \(text) is \(shown(share)), not a number from 0 to 1", share)
            }
            guard !shares.contains(where: { $0.code == text }) else { throw refuse("the code \(text) appears twice", code) }
            shares.append((text, number))
        }
        return shares
    }

    /// A plain (unquoted) decimal number: `0.5`, `.5`, `1`, `5e-1`; nil for anything else.
    private static func number(_ node: Node) -> Double? {
        guard let scalar = node.scalar, scalar.style == .plain,
              scalar.string.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        return Double(scalar.string).flatMap { $0.isFinite ? $0 : nil }
    }

    /// A node as a message shows it: a scalar in quotes, escaped so that it stays on one line.
    private static func shown(_ node: Node) -> String {
        guard let scalar = node.scalar else { return "(not a single value)" }
        return String(reflecting: scalar.string)
    }
}
