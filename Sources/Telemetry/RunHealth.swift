import Foundation

/// Whether a run is alive and ready, for `/healthz` and `/readyz`. Written by the run's thread and
/// read by the HTTP server's, so every access takes the lock.
///
/// Live: the run loop beat within `livenessWindow` (it beats on every slice of events and every
/// few milliseconds while the pacer waits). Ready: the run has committed its starting point, is
/// not stopping, and (when it publishes) at least one Kafka broker is connected.
public final class RunHealth: @unchecked Sendable {
    public let livenessWindow: Double
    private let lock = NSLock()
    private var lastBeat: Double
    private var started = false
    private var stopping = false
    private var brokersConnected: Int?
    private let now: () -> Double

    /// `now` is a monotonic clock in seconds (injected by tests).
    public init(livenessWindow: Double = 60, now: @escaping () -> Double) {
        self.livenessWindow = livenessWindow
        self.now = now
        lastBeat = now()
    }

    /// The run loop is making progress.
    public func beat() {
        let time = now()
        lock.withLock { lastBeat = time }
    }

    /// The run committed its starting point and is generating.
    public func markStarted() { lock.withLock { started = true } }

    /// The run is stopping (a signal, the end, a failure).
    public func markStopping() { lock.withLock { stopping = true } }

    /// Brokers the producer is connected to; nil for a files-only run or while not known yet.
    public func setBrokersConnected(_ count: Int?) { lock.withLock { brokersConnected = count } }

    /// (live, why not) for `/healthz`.
    public var liveness: (ok: Bool, reason: String) {
        let time = now()
        return lock.withLock {
            let silent = time - lastBeat
            return silent <= livenessWindow ? (true, "live") : (false, "the run loop has not moved for \(Int(silent)) s")
        }
    }

    /// (ready, why not) for `/readyz`.
    public var readiness: (ok: Bool, reason: String) {
        lock.withLock {
            if stopping { return (false, "stopping") }
            if !started { return (false, "starting") }
            if brokersConnected == 0 { return (false, "no Kafka broker connected") }
            return (true, "ready")
        }
    }
}
