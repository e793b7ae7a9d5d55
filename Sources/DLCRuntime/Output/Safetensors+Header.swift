import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Safetensors {
    /// The tensors' names and shapes and the metadata of the file at `path`, from its header
    /// alone (the data section is not read, only its length checked against the offsets).
    /// - Throws: as `read`.
    public static func readHeader(
        path: String
    ) throws(SafetensorsError) -> (shapes: [(name: String, shape: [Int])], metadata: [String: String]) {
        let size = try regularFileSize(path)
        guard size >= 8 else { throw .tooShort(byteCount: size) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        let lengthBytes = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        guard lengthBytes.count == 8 else { throw .tooShort(byteCount: lengthBytes.count) }
        var length: UInt64 = 0
        for index in (0..<8).reversed() { length = length << 8 | UInt64(lengthBytes[index]) }
        guard length <= maximumHeaderLength else { throw .headerTooLarge(length: length) }
        guard length <= UInt64(size - 8) else { throw .headerPastEnd(length: length, available: size - 8) }
        let header = [UInt8]((try? handle.read(upToCount: Int(length))) ?? Data())
        guard header.count == Int(length) else { throw .headerPastEnd(length: length, available: header.count) }
        let (entries, metadata) = try SafetensorsHeader.parse(header)
        let ordered = try SafetensorsHeader.checkLayout(entries, dataLength: size - 8 - Int(length))
        return (ordered.map { ($0.name, $0.shape) }, metadata)
    }

    /// The size of the regular file at `path`, with one `stat`: missing, a folder, or a device or
    /// a pipe (`/dev/zero`, a FIFO, which could be read forever) is an error.
    static func regularFileSize(_ path: String) throws(SafetensorsError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .fileNotFound(path: path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return Int(info.st_size)
        case S_IFDIR: throw .unreadable(path: path, reason: "it is a directory")
        default: throw .unreadable(path: path, reason: "it is not a regular file")
        }
    }
}
