import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open, regular, size-checked data file, read with `pread` and closed on deinit.
///
/// Opening refuses directories, devices, pipes and files larger than ``maximumSize`` before
/// anything is read, so a spec cannot make dlc block or allocate without bound.
final class DataFile {
    /// The largest file (and the largest decompressed stream) a data source may be: 2 GiB.
    static let maximumSize = 1 << 31

    /// The file's descriptor, open for reading.
    let descriptor: Int32
    /// The size in bytes when the file was opened.
    let size: Int
    /// The path as written in the spec, for errors.
    let reportedPath: String

    private init(descriptor: Int32, size: Int, reportedPath: String) {
        self.descriptor = descriptor
        self.size = size
        self.reportedPath = reportedPath
    }

    deinit {
        _ = close(descriptor)
    }

    /// Joins a relative `path` to `baseDirectory`; absolute paths and an empty base stay as they are.
    static func resolve(_ path: String, baseDirectory: String) -> String {
        if path.hasPrefix("/") || baseDirectory.isEmpty { return path }
        return baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path
    }

    /// Opens `path` (already resolved); errors name `reportedPath`.
    static func open(_ path: String, reportedPath: String) throws(DataError) -> DataFile {
        guard !path.isEmpty else { throw .fileNotFound(path: reportedPath) }
        var descriptor: Int32
        repeat {
            // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
            descriptor = openForReading(path)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .fileNotFound(path: reportedPath) }
            throw .unreadable(path: reportedPath, reason: describe(errno: code))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            _ = close(descriptor)
            throw .unreadable(path: reportedPath, reason: describe(errno: code))
        }
        let kind = info.st_mode & S_IFMT
        let size = Int(info.st_size)
        let problem: String?
        if kind == S_IFDIR {
            problem = "it is a directory, not a file"
        } else if kind != S_IFREG {
            problem = "it is not a regular file"
        } else if size > maximumSize {
            problem = "the file is \(size) bytes, larger than the 2 GiB limit"
        } else {
            problem = nil
        }
        if let problem {
            _ = close(descriptor)
            throw .unreadable(path: reportedPath, reason: problem)
        }
        return DataFile(descriptor: descriptor, size: size, reportedPath: reportedPath)
    }

    /// Reads up to `count` bytes from `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws(DataError) -> [UInt8] {
        let wanted = max(0, min(count, size - offset))
        var bytes = [UInt8](repeating: 0, count: wanted)
        let outcome = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(DataError) -> Int in try read(into: buffer, at: offset) }
        }
        let filled = try outcome.get()
        if filled < wanted { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// Reads the whole file (as large as it was when opened, or less if it shrank since).
    func readAll() throws(DataError) -> [UInt8] {
        try read(count: size, at: 0)
    }

    /// Fills `buffer` from `offset` and returns how many bytes were read (fewer at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(DataError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            let result = pread(descriptor, base + filled, buffer.count - filled, off_t(offset + filled))
            if result < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: reportedPath, reason: Self.describe(errno: errno))
            }
            if result == 0 { break }
            filled += result
        }
        return filled
    }

    /// The system's message for `code`, starting lowercase ("permission denied").
    static func describe(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        return message.prefix(1).lowercased() + message.dropFirst()
    }
}

/// `open(2)` for reading, outside `DataFile` so its `open` method does not shadow the system call.
private func openForReading(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
}
