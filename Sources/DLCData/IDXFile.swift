/// One file of an IDX pair, opened, with its header read; plain or gzip-compressed.
///
/// Compression is detected by the gzip magic bytes, not by the file's name. Only the header is
/// decompressed on opening; the data is read or counted only when asked.
struct IDXFile {
    let file: DataFile
    let isCompressed: Bool
    let header: IDXHeader

    /// Opens `path` (already resolved) and reads its header; errors name `reportedPath`.
    init(path: String, reportedPath: String) throws(DataError) {
        file = try DataFile.open(path, reportedPath: reportedPath)
        var start = try file.read(count: IDXHeader.maximumHeaderSize, at: 0)
        isCompressed = GzipReader.hasMagic(start)
        if isCompressed {
            start = try GzipReader.readPrefix(of: file, length: IDXHeader.maximumHeaderSize)
        }
        header = try IDXHeader(parsing: start, path: reportedPath)
    }

    var reportedPath: String { file.reportedPath }

    /// A `.malformed` error about this file.
    func problem(_ message: String) -> DataError {
        .malformed(path: reportedPath, line: nil, column: nil, message: message)
    }

    /// Checks that the (decompressed) file is exactly as long as its header says.
    ///
    /// Plain files compare their size; gzip files compare the trailer's size field and only
    /// decompress the whole stream (without keeping it) when that disagrees.
    func checkSize() throws(DataError) {
        let expected = header.totalSize
        let actual: Int
        if isCompressed {
            if try GzipReader.trailerSize(of: file) == UInt32(truncatingIfNeeded: expected) { return }
            actual = try GzipReader.inflate(file, limit: expected + 1) { _ in }
        } else {
            actual = file.size
        }
        guard actual != expected else { return }
        throw sizeMismatch(actual: actual)
    }

    /// The error for a file whose (decompressed) size is `actual` bytes instead of the header's.
    private func sizeMismatch(actual: Int) -> DataError {
        let expected = header.totalSize
        let what = isCompressed ? "decompressed data is" : "file is"
        let size = actual > expected && isCompressed ? "more than \(expected)" : "\(actual)"
        let consequence = actual < expected ? "the file is truncated" : "it has extra bytes at the end"
        return problem("the \(what) \(size) bytes, but its header (shape \(header.shapeText)) describes \(expected) bytes: \(consequence)")
    }

    /// Hands the data bytes (after the header) to `consume` in chunks, with each chunk's offset
    /// into the data, reading or decompressing the file once.
    ///
    /// The (decompressed) file must be exactly as long as its header says; nothing past that is
    /// read. `consume` sees at most ``IDXHeader/dataSize`` bytes in all.
    func readData(_ consume: (UnsafeBufferPointer<UInt8>, _ offset: Int) -> Void) throws(DataError) {
        let headerSize = header.headerSize
        let dataSize = header.dataSize
        if isCompressed {
            var position = 0
            let total = try GzipReader.inflate(file, limit: header.totalSize + 1) { chunk in
                let skip = max(0, min(chunk.count, headerSize - position))
                let end = min(chunk.count, headerSize + dataSize - position)
                if skip < end {
                    consume(UnsafeBufferPointer(rebasing: chunk[skip..<end]), position + skip - headerSize)
                }
                position += chunk.count
            }
            if total != header.totalSize { throw sizeMismatch(actual: total) }
            return
        }
        guard file.size == header.totalSize else { throw sizeMismatch(actual: file.size) }
        let chunkSize = min(dataSize, 1 << 20)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < dataSize {
            let wanted = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(chunkSize, dataSize - offset)])
            let filled = try file.read(into: wanted, at: headerSize + offset)
            guard filled > 0 else { throw sizeMismatch(actual: headerSize + offset) }
            consume(UnsafeBufferPointer(rebasing: UnsafeRawBufferPointer(wanted).bindMemory(to: UInt8.self)[0..<filled]), offset)
            offset += filled
        }
    }

    /// Which byte values occur in the data (after the header), reading the whole file once.
    func distinctDataBytes() throws(DataError) -> Set<UInt8> {
        var seen = [Bool](repeating: false, count: 256)
        let headerSize = header.headerSize
        if isCompressed {
            var position = 0
            let total = try GzipReader.inflate(file, limit: header.totalSize + 1) { chunk in
                let skip = max(0, min(chunk.count, headerSize - position))
                for byte in chunk[skip...] { seen[Int(byte)] = true }
                position += chunk.count
            }
            if total != header.totalSize { throw sizeMismatch(actual: total) }
        } else {
            for byte in try file.read(count: header.dataSize, at: headerSize) { seen[Int(byte)] = true }
        }
        return Set(seen.indices.filter { seen[$0] }.map { UInt8($0) })
    }
}
