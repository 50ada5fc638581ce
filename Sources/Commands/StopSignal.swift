import Synchronization
#if canImport(Glibc)
import Glibc
#endif

private let stopRequested = Atomic<Bool>(false)
/// Whether the handler writes its notice: not when stderr carries JSON lines only.
private let announcesStop = Atomic<Bool>(true)
private let stopNotice: StaticString = "\nstopping: finishing the current step and saving progress (signal again to exit at once)\n"

/// SIGINT, SIGTERM and SIGHUP (a closed terminal): the first asks the run to stop, at the next
/// slice boundary once it runs, or by ending the step it waits in while it starts (it then flushes,
/// closes and saves its progress); the second exits at once.
enum StopSignal {
    static let numbers = [SIGINT, SIGTERM, SIGHUP]

    /// `announcing`: write a plain-text notice on stderr when the first signal arrives (false with
    /// `--log-format json`, where the run logs its stop as JSON instead).
    static func install(announcing: Bool) {
        announcesStop.store(announcing, ordering: .relaxed)
        // A parent may have started us with these signals blocked (a thread of libdispatch does).
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in numbers { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        for number in numbers {
            signal(number) { _ in
                if stopRequested.exchange(true, ordering: .relaxed) { _exit(130) }
                // Only async-signal-safe work here: an atomic and write(2) of a static string.
                if announcesStop.load(ordering: .relaxed) { stopNotice.withUTF8Buffer { _ = write(2, $0.baseAddress, $0.count) } }
            }
        }
    }

    static var isRequested: Bool { stopRequested.load(ordering: .relaxed) }
}
