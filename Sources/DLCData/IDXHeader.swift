/// The header of an IDX file (the MNIST format): element type and dimensions.
///
/// Layout, big-endian: two zero bytes, a type byte (only `0x08`, unsigned byte, is supported),
/// a rank byte, then one `uint32` per dimension; the data follows, row-major.
struct IDXHeader: Hashable {
    /// The most dimensions dlc accepts in an IDX file.
    static let maximumRank = 8
    /// The longest header: four bytes plus four per dimension.
    static let maximumHeaderSize = 4 + 4 * maximumRank

    /// The dimensions, outermost (the example count) first; every one is at least 1.
    var dimensions: [Int]
    /// The bytes before the data.
    var headerSize: Int { 4 + 4 * dimensions.count }
    /// The number of data bytes (one per element); at most ``DataFile/maximumSize``.
    var dataSize: Int
    /// The size of the whole (uncompressed) file.
    var totalSize: Int { headerSize + dataSize }
    /// The dimensions as text, `60000 x 28 x 28`.
    var shapeText: String { dimensions.map(String.init).joined(separator: " x ") }

    /// Parses the header at the start of `bytes`, which holds the file's first bytes (all of
    /// them when the file is shorter than ``maximumHeaderSize``). Errors name `path`.
    init(parsing bytes: [UInt8], path: String) throws(DataError) {
        func problem(_ message: String) -> DataError {
            .malformed(path: path, line: nil, column: nil, message: message)
        }
        guard !bytes.isEmpty else { throw problem("the file is empty; expected an IDX file") }
        guard bytes.count >= 4 else {
            throw problem("the file is \(bytes.count) bytes, too short for an IDX header")
        }
        guard bytes[0] == 0 && bytes[1] == 0 else {
            let start = bytes.prefix(4).map(Self.hex).joined(separator: " ")
            throw problem("not an IDX file: it starts with \(start), but an IDX file starts with two zero bytes, a type byte and a rank byte (`00 00 08 03` for MNIST images)")
        }
        try Self.checkType(bytes[2], problem: problem)
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw problem("the IDX header has rank 0; expected at least 1 dimension") }
        guard rank <= Self.maximumRank else {
            throw problem("the IDX header has rank \(rank); at most \(Self.maximumRank) dimensions are supported")
        }
        guard bytes.count >= 4 + 4 * rank else {
            throw problem("the IDX header is truncated: rank \(rank) needs \(4 + 4 * rank) bytes, the file has \(bytes.count)")
        }
        var dimensions: [Int] = []
        for axis in 0..<rank {
            let at = 4 + 4 * axis
            let value = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard value > 0 else { throw problem("dimension \(axis + 1) of the IDX header is 0") }
            dimensions.append(value)
        }
        var product = 1
        for dimension in dimensions {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow, next <= DataFile.maximumSize else {
                let shape = dimensions.map(String.init).joined(separator: " x ")
                throw problem("the IDX header's shape \(shape) describes more than 2 GiB of data")
            }
            product = next
        }
        self.dimensions = dimensions
        self.dataSize = product
    }

    /// Accepts type `0x08` (unsigned byte); names the other IDX types when refusing them.
    private static func checkType(_ type: UInt8, problem: (String) -> DataError) throws(DataError) {
        let otherTypes: [UInt8: String] = [
            0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64",
        ]
        if type == 0x08 { return }
        if let name = otherTypes[type] {
            throw problem("IDX element type 0x\(hex(type)) (\(name)) is not supported; only 0x08 (unsigned byte) is")
        }
        throw problem("unknown IDX element type 0x\(hex(type)); expected 0x08 (unsigned byte)")
    }

    /// Two uppercase hexadecimal digits.
    static func hex(_ byte: UInt8) -> String {
        let text = String(byte, radix: 16, uppercase: true)
        return text.count == 1 ? "0" + text : text
    }
}
