#if canImport(Glibc)
import Glibc
#endif

/// Writes text to file descriptor 2 unbuffered, so that lines from several threads never interleave mid-line.
enum StandardError {
    static func write(_ text: String) { writeAll(text, to: 2) }
}

/// Writes text to file descriptor 1 unbuffered, so that a reading process sees each line at once.
enum StandardOutput {
    static func write(_ text: String) { writeAll(text, to: 1) }
}

private func writeAll(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { if errno == EINTR { continue } else { return } }
        offset += written
    }
}
