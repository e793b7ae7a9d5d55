import CZlib

/// Decompresses gzip files through zlib, never producing more than a caller-given number of bytes.
///
/// Corrupt or truncated data is a ``DataError``, never a crash. Concatenated gzip members are read
/// one after another, as `gzip -d` does.
public enum GzipReader {
    /// The first two bytes of every gzip stream.
    public static let magic: [UInt8] = [0x1f, 0x8b]

    /// Whether `bytes` starts with the gzip magic bytes `1f 8b`.
    public static func hasMagic(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: magic)
    }

    /// The first `length` decompressed bytes of the gzip file at `path` (fewer when the data is
    /// shorter); the rest of the file is not decompressed. Errors name `reportedPath` (default `path`).
    public static func readPrefix(path: String, length: Int, reportedPath: String? = nil) throws(DataError) -> [UInt8] {
        try readPrefix(of: DataFile.open(path, reportedPath: reportedPath ?? path), length: length)
    }

    /// Every decompressed byte of the gzip file at `path`; `.unreadable` when there are more than
    /// `maximumSize`. Errors name `reportedPath` (default `path`).
    public static func readAll(path: String, maximumSize: Int, reportedPath: String? = nil) throws(DataError) -> [UInt8] {
        try readAll(of: DataFile.open(path, reportedPath: reportedPath ?? path), maximumSize: maximumSize)
    }

    /// The decompressed size of the gzip file at `path`, counted without keeping the data;
    /// `.unreadable` when it is larger than `maximumSize`.
    public static func decompressedSize(path: String, maximumSize: Int, reportedPath: String? = nil) throws(DataError) -> Int {
        try decompressedSize(of: DataFile.open(path, reportedPath: reportedPath ?? path), maximumSize: maximumSize)
    }

    static func readPrefix(of file: DataFile, length: Int) throws(DataError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(max(length, 0), 1 << 20))
        _ = try inflate(file, limit: length) { output.append(contentsOf: $0) }
        return output
    }

    static func readAll(of file: DataFile, maximumSize: Int) throws(DataError) -> [UInt8] {
        var output: [UInt8] = []
        let total = try inflate(file, limit: limit(above: maximumSize)) { output.append(contentsOf: $0) }
        try checkSize(total, maximumSize: maximumSize, file: file)
        return output
    }

    static func decompressedSize(of file: DataFile, maximumSize: Int) throws(DataError) -> Int {
        let total = try inflate(file, limit: limit(above: maximumSize)) { _ in }
        try checkSize(total, maximumSize: maximumSize, file: file)
        return total
    }

    /// The size field of the gzip trailer (the last member's decompressed size modulo 2^32),
    /// or nil when the file is too short to have one.
    static func trailerSize(of file: DataFile) throws(DataError) -> UInt32? {
        guard file.size >= 18 else { return nil }
        let bytes = try file.read(count: 4, at: file.size - 4)
        guard bytes.count == 4 else { return nil }
        return bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    private static func limit(above maximumSize: Int) -> Int {
        maximumSize < Int.max ? max(maximumSize, 0) + 1 : Int.max
    }

    private static func checkSize(_ total: Int, maximumSize: Int, file: DataFile) throws(DataError) {
        if total > maximumSize {
            throw .unreadable(
                path: file.reportedPath,
                reason: "the decompressed data is larger than \(maximumSize) bytes")
        }
    }

    /// Inflates `file` from its start, handing each decompressed chunk to `consume`, and stops
    /// after `limit` bytes or at the end of the data. Returns how many bytes were produced.
    static func inflate(
        _ file: DataFile, limit: Int, consume: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(DataError) -> Int {
        guard limit > 0 else { return 0 }
        // zlib keeps a pointer back to its z_stream, so the stream must not move: allocate it.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // windowBits 15 + 16: a gzip wrapper around a deflate stream with a 32 KiB window.
        guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .unreadable(path: file.reportedPath, reason: "zlib could not start decompressing")
        }
        defer { inflateEnd(stream) }

        let chunkSize = 1 << 16
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer {
            input.deallocate()
            output.deallocate()
        }
        var offset = 0
        var inputEnded = false
        var memberEnded = false
        var total = 0
        while total < limit {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let count = try file.read(into: input, at: offset)
                offset += count
                inputEnded = count == 0
                stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = UInt32(count)
            }
            if memberEnded {
                if stream.pointee.avail_in == 0 {
                    if inputEnded { break }
                    continue
                }
                // Another gzip member follows (as `cat a.gz b.gz` makes).
                guard inflateReset(stream) == Z_OK else { throw corrupt(file, stream) }
                memberEnded = false
            }
            let room = min(chunkSize, limit - total)
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(room)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let produced = room - Int(stream.pointee.avail_out)
            if produced > 0 {
                consume(UnsafeBufferPointer(start: output.baseAddress?.assumingMemoryBound(to: UInt8.self), count: produced))
                total += produced
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                // No progress without more input: fine while the file has more, truncated if not.
                if inputEnded {
                    throw .unreadable(path: file.reportedPath, reason: "the gzip data is truncated (unexpected end of file)")
                }
            case Z_MEM_ERROR:
                throw .unreadable(path: file.reportedPath, reason: "out of memory while decompressing")
            default:
                throw corrupt(file, stream)
            }
        }
        return total
    }

    private static func corrupt(_ file: DataFile, _ stream: UnsafeMutablePointer<z_stream>) -> DataError {
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
        return .unreadable(path: file.reportedPath, reason: "the gzip data is corrupt (\(detail))")
    }
}
