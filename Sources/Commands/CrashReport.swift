#if canImport(Glibc)
import Glibc
#endif

/// With `--log-format json`, every line on stderr is JSON, a crash's too: the signals of a trap or
/// a fault (and SIGQUIT, which asks for a dump) write one `critical` JSON line instead of the Swift
/// runtime's text backtrace, then end the process the way the signal would have. A crash leaves the
/// run where its last checkpoint put it, as a kill does.
enum CrashReport {
    private static let signals: [(number: Int32, name: StaticString)] = [
        (SIGILL, "SIGILL"), (SIGTRAP, "SIGTRAP"), (SIGABRT, "SIGABRT"), (SIGBUS, "SIGBUS"),
        (SIGFPE, "SIGFPE"), (SIGSEGV, "SIGSEGV"), (SIGQUIT, "SIGQUIT"),
    ]

    /// Replaces the runtime's handlers of those signals (and unblocks them: a parent may have
    /// started the process with signals blocked).
    static func installJSON() {
        lineBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: lineCapacity)
        // A stack of its own, so that the handler runs even when the main thread's stack overflowed.
        var stack = stack_t()
        stack.ss_size = 1 << 16
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: stack.ss_size, alignment: 16)
        sigaltstack(&stack, nil)
        var mask = sigset_t()
        sigemptyset(&mask)
        for (number, _) in signals { sigaddset(&mask, number) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        for (number, _) in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in CrashReport.report(number) }
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND) | Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
    }

    /// Room for one line, allocated before any signal can come: a handler must not allocate.
    nonisolated(unsafe) private static var lineBuffer: UnsafeMutablePointer<UInt8>?
    private static let lineCapacity = 512

    /// Writes the line and raises the signal again, now with its default action (SA_RESETHAND).
    /// Async-signal-safe: clock_gettime, arithmetic on the stack, write(2), raise.
    private static func report(_ number: Int32) {
        guard let buffer = lineBuffer else { return }
        var length = 0
        func put(_ text: StaticString) {
            text.withUTF8Buffer { bytes in
                for byte in bytes where length < lineCapacity { buffer[length] = byte; length += 1 }
            }
        }
        func put(digits value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 && length < lineCapacity {
                buffer[length] = UInt8(48 + rest / divisor % 10)
                length += 1
                rest %= divisor
                divisor /= 10
            }
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = Int(now.tv_sec)
        let (year, month, day) = civil(daysSince1970: seconds / 86_400)
        let second = seconds % 86_400
        put("{\"time\":\"")
        put(digits: year, width: 4); put("-"); put(digits: month, width: 2); put("-"); put(digits: day, width: 2)
        put("T"); put(digits: second / 3600, width: 2); put(":"); put(digits: second / 60 % 60, width: 2); put(":")
        put(digits: second % 60, width: 2); put("."); put(digits: Int(now.tv_nsec) / 1_000_000, width: 3)
        put("Z\",\"level\":\"critical\",\"message\":\"replay ended by ")
        put(signals.first { $0.number == number }?.name ?? "a signal")
        put(number == SIGQUIT ? " (a dump was asked for)" : " (a crash)")
        put(": run the same command again to continue from the last checkpoint\",\"metadata\":{},\"label\":\"replay\"}\n")
        _ = write(2, buffer, length)
        raise(number)
    }

    /// Howard Hinnant's civil_from_days, for days from 1970 on.
    private static func civil(daysSince1970 days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (153 * mp + 2) / 5 + 1)
    }
}
