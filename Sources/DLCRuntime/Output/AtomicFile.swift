#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Whole-file writes that readers see either entirely or not at all.
///
/// `write` puts the bytes in a temporary file `.NAME.tmp-PID` in the destination's directory,
/// flushes it to disk with `fsync`, then `rename`s it over the destination, which POSIX makes
/// atomic within one file system. A run killed at any moment leaves the old file or the new
/// one, never a truncated file that looks complete; at worst a stray `.NAME.tmp-PID`. On any
/// error the temporary file is removed and the destination is untouched.
///
/// Two writers in one process must not write the same path at the same time (they would share
/// the temporary name).
public enum AtomicFile {
    /// Replaces (or creates) the file at `path` with `bytes`. The new file's mode is 0644 less
    /// the umask. The directory must exist.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicFileError) {
        let temporaryPath = temporaryPath(for: path)
        _ = unlink(temporaryPath)  // a leftover of an earlier run with the same process id
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AtomicFileError(path: path, step: .create, code: errno)
        }
        do throws(AtomicFileError) {
            try writeAll(bytes, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw AtomicFileError(path: path, step: .sync, code: errno) }
            guard close(descriptor) == 0 else {
                throw AtomicFileError(path: path, step: .close, code: errno)
            }
        } catch {
            _ = close(descriptor)  // harmless when already closed: EBADF
            _ = unlink(temporaryPath)
            throw error
        }
        guard rename(temporaryPath, path) == 0 else {
            let code = errno
            _ = unlink(temporaryPath)
            throw AtomicFileError(path: path, step: .rename, code: code)
        }
        syncDirectory(of: path)
    }

    /// Replaces (or creates) the file at `path` with `data`.
    public static func write(_ data: Data, to path: String) throws(AtomicFileError) {
        try write([UInt8](data), to: path)
    }

    /// Replaces (or creates) the file at `path` with `text` encoded as UTF-8.
    public static func write(_ text: String, to path: String) throws(AtomicFileError) {
        try write(Array(text.utf8), to: path)
    }

    /// The temporary file's path: `DIRECTORY/.NAME.tmp-PID` beside `path`.
    public static func temporaryPath(for path: String) -> String {
        let (directory, name) = split(path)
        let prefix = directory.map { $0 + "/" } ?? ""
        return prefix + "." + name + ".tmp-\(getpid())"
    }

    /// `path` split at its last `/` into directory (nil when there is none) and file name.
    private static func split(_ path: String) -> (directory: String?, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Writes every byte, retrying short writes and interrupted calls.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(AtomicFileError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return systemWrite(descriptor, base + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, step: .write, code: errno)
            }
            written += result
        }
    }

    /// Flushes the directory entry of the rename; best effort, since some file systems refuse
    /// `fsync` on directories and the data itself is already on disk.
    private static func syncDirectory(of path: String) {
        let directory = split(path).directory ?? "."
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }
}

/// The C library's `write(2)`, named apart from `AtomicFile.write`, which hides it inside the type.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// Why `AtomicFile.write` failed: the step and the operating system's error number.
public struct AtomicFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The system call that failed.
    public enum Step: String, Sendable, Hashable {
        case create, write, sync, close, rename
    }

    /// The destination path given to `write`.
    public var path: String
    public var step: Step
    /// The `errno` value.
    public var code: Int32

    public init(path: String, step: Step, code: Int32) {
        self.path = path
        self.step = step
        self.code = code
    }

    /// "cannot create temporary file: No such file or directory", without the path.
    public var reason: String {
        let system = String(cString: strerror(code))
        switch step {
        case .create: return "cannot create the temporary file: \(system)"
        case .write: return "write failed: \(system)"
        case .sync: return "fsync failed: \(system)"
        case .close: return "close failed: \(system)"
        case .rename: return "cannot rename the temporary file over it: \(system)"
        }
    }

    public var description: String {
        "cannot write `\(path)`: \(reason)"
    }
}
