import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `--output-dir` folder, created when missing.
struct OutputFolder {
    let path: String

    init(path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw UserError("--output-dir \(path) is a file, not a folder") }
        } else {
            try Self.createFolders(path)
        }
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path[..<path.index(before: path.endIndex)]) : path
    }

    /// Creates `path` and every missing folder above it; a one-line error names the part that failed and why.
    private static func createFolders(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder) {
                guard isFolder.boolValue else { throw UserError("cannot create --output-dir \(path): \(prefix) is a file, not a folder") }
                continue
            }
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw UserError("cannot create --output-dir \(path): \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Takes the folder for this process alone until it exits (an exclusive `flock` on
    /// `.replay.lock`, which the kernel releases however the process ends); refuses with the
    /// holder's pid when another run has it.
    func lockForWriting() throws -> FolderLock {
        let lockPath = path + "/.replay.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw UserError("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw UserError("another replay (pid \(holder.isEmpty ? "unknown" : holder)) is writing to \(path): wait for it to end, or stop it")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.utf8.count, 0)
        return FolderLock(descriptor: descriptor)
    }
}

/// Holds an output folder's lock while it lives (and, through the kernel, no longer than the process).
final class FolderLock {
    private let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }
}
