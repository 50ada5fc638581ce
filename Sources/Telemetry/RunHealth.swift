import Foundation
import Synchronization

/// Whether a run is alive and ready, for `/healthz` and `/readyz`. Written by the run's thread and
/// read by the HTTP server's, so its state lives in a mutex.
///
/// Live: the run loop beat within `livenessWindow` (it beats on every slice of events and every
/// few milliseconds while the pacer waits). Ready: the run has committed its starting point, is
/// not stopping, and (when it publishes) at least one Kafka broker is connected.
public final class RunHealth: Sendable {
    private struct State {
        var lastBeat: Double
        var started = false
        var stopping = false
        var brokersConnected: Int?
    }

    public let livenessWindow: Double
    private let state: Mutex<State>
    private let now: @Sendable () -> Double

    /// `now` is a monotonic clock in seconds (injected by tests).
    public init(livenessWindow: Double = 60, now: @escaping @Sendable () -> Double) {
        self.livenessWindow = livenessWindow
        self.now = now
        state = Mutex(State(lastBeat: now()))
    }

    /// The run loop is making progress.
    public func beat() {
        let time = now()
        state.withLock { $0.lastBeat = time }
    }

    /// The run committed its starting point and is generating.
    public func markStarted() { state.withLock { $0.started = true } }

    /// The run is stopping (a signal, the end, a failure).
    public func markStopping() { state.withLock { $0.stopping = true } }

    /// Brokers the producer is connected to; nil for a files-only run or while not known yet.
    public func setBrokersConnected(_ count: Int?) { state.withLock { $0.brokersConnected = count } }

    /// (live, why not) for `/healthz`.
    public var liveness: (ok: Bool, reason: String) {
        let time = now()
        let silent = time - state.withLock { $0.lastBeat }
        return silent <= livenessWindow ? (true, "live") : (false, "the run loop has not moved for \(Int(silent)) s")
    }

    /// (ready, why not) for `/readyz`.
    public var readiness: (ok: Bool, reason: String) {
        let state = state.withLock { $0 }
        if state.stopping { return (false, "stopping") }
        if !state.started { return (false, "starting") }
        if state.brokersConnected == 0 { return (false, "no Kafka broker connected") }
        return (true, "ready")
    }
}
