#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `bytes` to `descriptor` at byte `offset` (`pwrite`, again after a partial write or
/// an interruption); a failure is a one-line error naming `what` (a path, or a file's description).
public func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, at offset: Int, _ what: String) throws {
    var written = 0
    while written < bytes.count {
        let count = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
        if count < 0 {
            if errno == EINTR { continue }
            throw SinkError("cannot write \(what): \(BufferedFile.lastError())")
        }
        written += count
    }
}
