#if canImport(Glibc)
import Glibc
#endif

/// What the process sets up before any command runs.
enum ProcessSetup {
    /// A closed pipe (a log shipper restarting, `| head`) makes writes fail with EPIPE instead of
    /// killing the process: a run keeps going and saves its checkpoints. The soft limit on open
    /// files goes up to the hard one, so that many connections (Kafka, metrics) do not starve the files.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
