#if canImport(Glibc)
import Glibc
#endif
import Checkpoints

/// A file without a name for bytes a run needs back later in the same process: created in a
/// folder and unlinked at once, so that the system frees it when the process ends, however it
/// ends (a SIGKILL leaves nothing behind).
final class ScratchFile {
    private let folder: String
    private let descriptor: Int32
    /// Bytes written so far.
    private(set) var length = 0

    init(in folder: String) throws {
        self.folder = folder
        var template = Array((folder + "/.replay-scratch-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SinkError("cannot create a scratch file in \(folder): \(BufferedFile.lastError())") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(path)
    }

    deinit { close(descriptor) }

    /// Appends `bytes`; returns the offset they start at.
    func append(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        let start = length
        try writeAll(bytes, to: descriptor, at: start, "a scratch file in \(folder)")
        length += bytes.count
        return start
    }

    /// Fills `buffer` with the bytes at `offset`.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let read = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { throw SinkError("cannot read back a scratch file in \(folder): \(BufferedFile.lastError())") }
            done += read
        }
    }

    /// Forgets every byte: the next append starts at offset 0 and overwrites them.
    func reset() {
        length = 0
    }
}
