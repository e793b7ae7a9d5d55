import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing float32 checkpoints in the safetensors format.
///
/// A file is an 8-byte little-endian header length `N`, `N` bytes of JSON header, then the
/// data section:
/// ```
/// {"__metadata__":{"KEY":"VALUE",...},
///  "NAME":{"dtype":"F32","shape":[d0,d1,...],"data_offsets":[begin,end]}, ...}
/// ```
/// Offsets count bytes from the start of the data section; values are little-endian float32
/// in row-major order. Files dlc writes load with `safetensors.numpy.load_file` and
/// `safetensors.torch.load_file`; dlc reads any file whose tensors are all `F32`.
public enum Safetensors {
    /// The largest header accepted when reading, as in the reference implementation's guard.
    public static let maximumHeaderLength: UInt64 = 100 * 1024 * 1024

    /// The bytes of a safetensors file holding `tensors` in the given order.
    ///
    /// Deterministic: equal inputs give equal bytes. The header has no whitespace except the
    /// trailing spaces that pad it to a multiple of 8; metadata keys are sorted and
    /// `__metadata__` is left out when `metadata` is empty.
    /// - Throws: `duplicateName`, `reservedName`, `invalidShape` (a negative or overflowing
    ///   dimension) or `valueCountMismatch`; nothing is written in those cases.
    public static func encode(
        _ tensors: [SafetensorsTensor], metadata: [String: String]
    ) throws(SafetensorsError) -> [UInt8] {
        var entries: [SafetensorsHeaderEntry] = []
        entries.reserveCapacity(tensors.count)
        var names: Set<String> = []
        var offset = 0
        for tensor in tensors {
            guard tensor.name != SafetensorsHeader.metadataKey else { throw .reservedName }
            guard names.insert(tensor.name).inserted else { throw .duplicateName(tensor.name) }
            guard let byteCount = SafetensorsHeader.byteCount(of: tensor.shape) else {
                throw .invalidShape(tensor: tensor.name, shape: tensor.shape)
            }
            guard byteCount == tensor.values.count * MemoryLayout<Float>.size else {
                throw .valueCountMismatch(tensor: tensor.name, shape: tensor.shape, valueCount: tensor.values.count)
            }
            entries.append(SafetensorsHeaderEntry(name: tensor.name, shape: tensor.shape, begin: offset, end: offset + byteCount))
            offset += byteCount
        }
        let header = SafetensorsHeader.render(entries, metadata: metadata)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for tensor in tensors {
            appendLittleEndian(tensor.values, to: &bytes)
        }
        return bytes
    }

    /// The tensors and metadata of a safetensors file's bytes.
    ///
    /// Tensors come back in data order (the order `encode` was given). Every length and offset
    /// is checked before use, so truncated or corrupt bytes throw and never trap.
    /// - Throws: `tooShort`, `headerTooLarge`, `headerPastEnd`, `invalidHeader`,
    ///   `duplicateName`, `unsupportedDtype`, `invalidShape`, `offsetsOutOfRange`,
    ///   `sizeMismatch`, `overlappingOffsets`, `gapBeforeTensor` or `trailingData`.
    public static func decode(
        _ bytes: [UInt8]
    ) throws(SafetensorsError) -> (tensors: [SafetensorsTensor], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw .tooShort(byteCount: bytes.count) }
        var headerLength: UInt64 = 0
        for index in (0..<8).reversed() {
            headerLength = headerLength << 8 | UInt64(bytes[index])
        }
        guard headerLength <= maximumHeaderLength else { throw .headerTooLarge(length: headerLength) }
        let available = bytes.count - 8
        guard headerLength <= UInt64(available) else {
            throw .headerPastEnd(length: headerLength, available: available)
        }
        let dataStart = 8 + Int(headerLength)
        let (entries, metadata) = try SafetensorsHeader.parse(Array(bytes[8..<dataStart]))
        let ordered = try SafetensorsHeader.checkLayout(entries, dataLength: bytes.count - dataStart)
        let tensors = ordered.map { entry in
            SafetensorsTensor(
                name: entry.name,
                shape: entry.shape,
                values: readLittleEndian(bytes, from: dataStart + entry.begin, to: dataStart + entry.end)
            )
        }
        return (tensors, metadata)
    }

    /// Reads and decodes the safetensors file at `path`.
    /// - Throws: `fileNotFound`, `unreadable`, or any error of `decode`.
    public static func read(
        path: String
    ) throws(SafetensorsError) -> (tensors: [SafetensorsTensor], metadata: [String: String]) {
        try decode(readBytes(path: path))
    }

    /// The bytes of the safetensors file at `path`, not decoded.
    /// - Throws: `fileNotFound` or `unreadable` (also for a folder, a device or a pipe).
    public static func readBytes(path: String) throws(SafetensorsError) -> [UInt8] {
        _ = try regularFileSize(path)
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
    }

    /// Encodes `tensors` and writes them to `path` with `AtomicFile`, so a reader never sees a
    /// partly written checkpoint.
    /// - Throws: any error of `encode`, or `unwritable`.
    public static func write(
        _ tensors: [SafetensorsTensor], metadata: [String: String], to path: String
    ) throws(SafetensorsError) {
        let bytes = try encode(tensors, metadata: metadata)
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw .unwritable(path: path, reason: error.reason)
        }
    }

    /// Appends `values` as little-endian float32.
    private static func appendLittleEndian(_ values: [Float], to bytes: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        #endif
    }

    /// The little-endian float32 values in `bytes[begin..<end]`; the caller has checked the
    /// range lies inside `bytes` and its length is a multiple of 4.
    private static func readLittleEndian(_ bytes: [UInt8], from begin: Int, to end: Int) -> [Float] {
        let count = (end - begin) / MemoryLayout<Float>.size
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { index in
                let bits = raw.loadUnaligned(fromByteOffset: begin + index * 4, as: UInt32.self)
                return Float(bitPattern: UInt32(littleEndian: bits))
            }
        }
    }
}
