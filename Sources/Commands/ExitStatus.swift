/// A run that ends without an error but with a status other than 0, thrown to the entry point
/// (which exits with it, printing nothing more).
struct ExitStatus: Error {
    let code: Int32

    /// A history stopped before it completed exits with 75 (`EX_TEMPFAIL`: run it again), so that a
    /// Job or a script does not take it for done; a live feed's stop is its normal end (0).
    static func stopped(history: Bool) -> ExitStatus { ExitStatus(code: history ? 75 : 0) }
}
