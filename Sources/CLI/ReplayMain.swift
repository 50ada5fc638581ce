import Commands

/// `replay`'s entry point (the commands live in the Commands library).
@main
enum ReplayMain {
    static func main() {
        ReplayProcess.main()
    }
}
