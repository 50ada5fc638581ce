#if canImport(Glibc)
import Glibc
#endif
import Records
import Foundation

/// Replaces a file's content all at once: a temporary file beside it, fsync, rename, fsync of
/// the folder. Readers see the old content or the new one, never a mix, even after a crash.
public enum AtomicFile {
    /// Writes the content that `body` streams into the file it is given (flushing as it goes).
    public static func write(to path: String, _ body: (BufferedFile) throws -> Void) throws {
        try prepare(path, body)
        try commit(path)
    }

    /// The first half of a replacement: `body` writes the new content into `path`'s temporary
    /// file, which is then synced and closed; returns what `body` returned. `commit` puts it in place.
    static func prepare<Result>(_ path: String, _ body: (BufferedFile) throws -> Result) throws -> Result {
        let file = try BufferedFile(creating: temporary(of: path), flushThreshold: StateJSONWriter.chunk)
        let result = try body(file)
        try file.close()
        return result
    }

    /// The second half: renames the prepared temporary file over `path` and syncs the folder.
    static func commit(_ path: String) throws {
        guard rename(temporary(of: path), path) == 0 else {
            throw SinkError("cannot replace \(path): \(BufferedFile.lastError())")
        }
        syncFolder(of: path)
    }

    private static func temporary(of path: String) -> String { path + ".tmp" }

    /// Creates the file with `content` unless it exists (a temporary file of a name no other
    /// process or host uses, fsync, then a hard link, which fails rather than replace): of several
    /// processes creating it at once, on one host or over a shared volume, exactly one succeeds.
    /// Returns false when the file was already there.
    public static func create(_ content: EncodingBuffer, at path: String) throws -> Bool {
        let temporary = path + ".\(UUID().uuidString).tmp"
        defer { unlink(temporary) }
        let file = try BufferedFile(creating: temporary)
        file.buffer.append(contentsOf: content)
        try file.close()
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw SinkError("cannot create \(path): \(BufferedFile.lastError())")
        }
        syncFolder(of: path)
        return true
    }

    /// Removes `path` (nothing to do when it is not there) and syncs its folder.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw SinkError("cannot remove \(path): \(BufferedFile.lastError())") }
        syncFolder(of: path)
    }

    static func syncFolder(of path: String) {
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let folderDescriptor = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            _ = close(folderDescriptor)
        }
    }
}
