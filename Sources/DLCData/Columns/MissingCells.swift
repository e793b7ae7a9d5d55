/// Recognizes a missing cell: empty, or one of the `missing_values` spellings ignoring ASCII case.
struct MissingCells {
    /// The spellings, lowercased, as bytes.
    private let spellings: [[UInt8]]
    /// The longest spelling's length, to skip the comparison for longer cells.
    private let longest: Int

    init(_ values: [String]) {
        spellings = values.map { Array($0.utf8).map(Self.lowercase) }
        longest = spellings.map(\.count).max() ?? 0
    }

    /// Whether `cell` (trimmed) is missing.
    @inline(__always)
    func contains(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        if cell.isEmpty { return true }
        guard cell.count <= longest else { return false }
        outer: for spelling in spellings where spelling.count == cell.count {
            for index in 0..<cell.count where Self.lowercase(cell[index]) != spelling[index] { continue outer }
            return true
        }
        return false
    }

    func contains(_ cell: ArraySlice<UInt8>) -> Bool {
        cell.withUnsafeBufferPointer { contains($0) }
    }

    func contains(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { contains(UnsafeBufferPointer($0)) }
    }

    @inline(__always)
    private static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte
    }
}
