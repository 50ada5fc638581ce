import Foundation

/// Lets a blocking step of a run's start (connecting, reading topics back) end early when the
/// process is asked to stop: it waits in short slices and asks `isRequested` between them.
public struct Interruption: Sendable {
    public let isRequested: @Sendable () -> Bool

    public init(_ isRequested: @escaping @Sendable () -> Bool) { self.isRequested = isRequested }

    /// Never interrupted.
    public static let never = Interruption { false }

    /// The longest single wait, in seconds.
    static let slice = 0.5

    /// Milliseconds of the next wait towards `deadline`: at most a slice.
    func nextWait(until deadline: Date) -> Int32 {
        Int32(max(0, min(Self.slice, deadline.timeIntervalSinceNow)) * 1000)
    }

    /// Throws `Stopped` when a stop was requested.
    func check() throws {
        if isRequested() { throw Stopped() }
    }

    /// What a step throws when it ended early because the process is stopping.
    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "stopped on request" }
    }
}
