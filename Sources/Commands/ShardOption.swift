import ArgumentParser
import Engine
import Records
import Foundation

/// `--shard I/N`, or `--shard auto/N` to take I from `JOB_COMPLETION_INDEX` (set by a Kubernetes
/// Indexed Job in each pod).
enum ShardOption: Equatable {
    case fixed(Shard)
    case auto(count: Int)

    static let indexVariable = "JOB_COMPLETION_INDEX"

    /// Parses `I/N` or `auto/N`; a one-line error otherwise.
    static func parse(_ argument: String) throws -> ShardOption {
        if let shard = Shard(argument) { return .fixed(shard) }
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0] == "auto", let count = Int(parts[1]), (1...Shard.maximumCount).contains(count) {
            return .auto(count: count)
        }
        throw ValidationError("expected I/N with 0 ≤ I < N ≤ \(Shard.maximumCount), or auto/N")
    }

    var count: Int {
        switch self {
        case let .fixed(shard): shard.count
        case let .auto(count): count
        }
    }

    /// The shard, with `auto`'s index read from `environment`; a one-line error when it is missing or out of range.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard {
        switch self {
        case let .fixed(shard):
            return shard
        case let .auto(count):
            guard let text = environment[Self.indexVariable] else {
                throw UserError("--shard auto/\(count) takes the shard's index from \(Self.indexVariable), which is not set "
                    + "(a Kubernetes Indexed Job sets it); give the index instead: --shard I/\(count)")
            }
            guard let index = Int(text), let shard = Shard(index: index, count: count) else {
                throw UserError("--shard auto/\(count): \(Self.indexVariable)=\(text) is not an index from 0 to \(count - 1)")
            }
            return shard
        }
    }
}
