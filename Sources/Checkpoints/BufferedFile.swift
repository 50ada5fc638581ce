#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// An output file written through one large buffer with plain POSIX calls.
public final class BufferedFile {
    public let path: String
    private var descriptor: Int32
    /// Bytes waiting to be written; encode into it, then call `flushIfFull`.
    public let buffer: EncodingBuffer
    private let flushThreshold: Int
    /// Bytes handed to the operating system so far.
    public private(set) var size = 0

    /// Creates (or truncates) `path` for writing; with `appending`, opens it to write after its end.
    public init(creating path: String, appending: Bool = false, flushThreshold: Int = 1 << 20) throws {
        self.path = path
        self.flushThreshold = flushThreshold
        buffer = EncodingBuffer(capacity: flushThreshold + 64 * 1024)
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (appending ? 0 : O_TRUNC), 0o644)
        guard descriptor >= 0 else { throw SinkError("cannot create \(path): \(BufferedFile.lastError())") }
        let end = appending ? lseek(descriptor, 0, SEEK_END) : 0
        guard end >= 0 else { throw SinkError("cannot open \(path): \(BufferedFile.lastError())") }
        size = Int(end)
    }

    /// Writes the buffer out when it holds `flushThreshold` bytes or more.
    @inline(__always)
    public func flushIfFull() throws {
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Hands every buffered byte to the operating system.
    public func flush() throws {
        var offset = 0
        let bytes = buffer.bytes
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SinkError("cannot write \(path): \(BufferedFile.lastError())")
            }
            offset += written
        }
        size += buffer.count
        buffer.removeAll()
    }

    /// Flushes and makes the data durable (fdatasync).
    public func sync() throws {
        try flush()
        guard fdatasync(descriptor) == 0 else { throw SinkError("cannot sync \(path): \(BufferedFile.lastError())") }
    }

    /// Drops everything after the first `length` bytes (buffered bytes included).
    public func truncate(to length: Int) throws {
        buffer.removeAll()
        guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, off_t(length), SEEK_SET) >= 0 else {
            throw SinkError("cannot truncate \(path): \(BufferedFile.lastError())")
        }
        size = length
    }

    /// Flushes, makes the data durable (fsync) and closes the file.
    public func close() throws {
        guard descriptor >= 0 else { return }
        defer { descriptor = -1 }
        try flush()
        guard fsync(descriptor) == 0 else { throw SinkError("cannot sync \(path): \(BufferedFile.lastError())") }
        guard Glibc.close(descriptor) == 0 else { throw SinkError("cannot close \(path): \(BufferedFile.lastError())") }
    }

    deinit {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    /// The last system call's error, as text.
    public static func lastError() -> String { String(cString: strerror(errno)) }
}
