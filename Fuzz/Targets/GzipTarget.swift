import DLCData
import Foundation

/// Gzip streams (one member or several, truncated, with trailing bytes, lying sizes) through
/// every way dlc reads one: the prefix the checker reads for a header, the size scan, and the
/// whole stream under a small limit (a decompression bomb must stop at the limit).
enum GzipTarget {
    static func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let path = FuzzSupport.write(UnsafeBufferPointer(start: data, count: size), named: "fuzz.gz")
        _ = GzipReader.hasMagic(UnsafeBufferPointer(start: data, count: size))
        _ = try? GzipReader.readPrefix(path: path, length: 16)
        _ = try? GzipReader.decompressedSize(path: path, maximumSize: 1 << 20)
        if let all = try? GzipReader.readAll(path: path, maximumSize: 1 << 20) {
            precondition(all.count <= 1 << 20, "readAll returned more than its limit")
        }
    }
}
