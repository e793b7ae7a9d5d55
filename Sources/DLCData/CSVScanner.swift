/// One field of a CSV record, as byte offsets into the file.
struct CSVField {
    /// The field's content `start..<end` (inside the quotes for a quoted field).
    var start: Int
    var end: Int
    /// Whether the field is quoted (its opening quote is at `start - 1`).
    var isQuoted: Bool
    /// Whether the content holds doubled quotes (`""`) that stand for one quote.
    var hasEscapedQuotes: Bool

    /// Where the field begins: its first byte, or its opening quote.
    var offset: Int { isQuoted ? start - 1 : start }
    /// Just past the field: after its closing quote when it has one.
    var endOffset: Int { isQuoted ? end + 1 : end }

    /// A placeholder for slots not yet filled.
    static let empty = CSVField(start: 0, end: 0, isQuoted: false, hasEscapedQuotes: false)
}

/// Splits UTF-8 CSV bytes into records of fields without copying them.
///
/// Accepts `\n` and `\r\n` line ends, trailing blank lines, a UTF-8 byte order mark, and
/// double-quoted fields with `""` for a quote (a quoted field may span lines). Rejects invalid
/// UTF-8, a bare `\r`, an unterminated quote and text after a closing quote. Lines and columns
/// are worked out only when an error is reported.
struct CSVScanner {
    private let bytes: [UInt8]
    private let path: String
    private let bodyStart: Int
    private var position: Int

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        bodyStart = bytes.starts(with: byteOrderMark) ? 3 : 0
        position = bodyStart
    }

    /// The content of `field`, with doubled quotes undone and spaces and tabs around it removed.
    func value(of field: CSVField) -> ArraySlice<UInt8> {
        var content = bytes[field.start..<field.end]
        if field.hasEscapedQuotes {
            var unescaped: [UInt8] = []
            var previousWasQuote = false
            for byte in content {
                if byte == .quote && previousWasQuote {
                    previousWasQuote = false
                    continue
                }
                previousWasQuote = byte == .quote
                unescaped.append(byte)
            }
            content = unescaped[...]
        }
        while let first = content.first, first == .space || first == .tab { content.removeFirst() }
        while let last = content.last, last == .space || last == .tab { content.removeLast() }
        return content
    }

    /// Calls `body` with the input's bytes, so a caller can read many fields' contents
    /// (`start..<end`) without making a slice of each.
    func withBytes<Result, Failure: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result) throws(Failure) -> Result {
        try bytes.withUnsafeBufferPointer(body)
    }

    /// A `.malformed` error at byte `offset`, with its 1-based line and column (in Unicode scalars).
    func error(at offset: Int, _ message: String) -> DataError {
        let end = min(max(offset, bodyStart), bytes.count)
        var line = 1
        var lineStart = bodyStart
        for index in bodyStart..<end where bytes[index] == .newline {
            line += 1
            lineStart = index + 1
        }
        let column = bytes[lineStart..<end].reduce(1) { count, byte in byte & 0xC0 == 0x80 ? count : count + 1 }
        return .malformed(path: path, line: line, column: column, message: message)
    }

    /// Reads the next record and returns its number of fields, or nil at the end of the input.
    ///
    /// Stores the record's first `slots.count` fields in `slots` (the rest are only counted), so
    /// a caller that needs a few columns of each row does not pay for the others. A blank line in
    /// the middle of the file is a record of one empty field; blank lines at the end are ignored.
    mutating func nextRecord(into slots: inout [CSVField]) throws(DataError) -> Int? {
        guard position < bytes.count else { return nil }
        let start = position
        let outcome = bytes.withUnsafeBufferPointer { buffer in
            slots.withUnsafeMutableBufferPointer { slots in
                Result { () throws(DataError) -> (fieldCount: Int?, next: Int) in try scanRecord(buffer, from: start, slots: slots) }
            }
        }
        let (fieldCount, next) = try outcome.get()
        position = next
        return fieldCount
    }

    /// Reads the next record and returns all its fields, or nil at the end of the input.
    mutating func nextRecord() throws(DataError) -> [CSVField]? {
        var probe = self
        var none: [CSVField] = []
        guard let count = try probe.nextRecord(into: &none) else { return nil }
        var fields = [CSVField](repeating: .empty, count: count)
        _ = try nextRecord(into: &fields)
        return fields
    }

    /// Scans the record at `start`; returns its field count (nil at the end) and where the next begins.
    private func scanRecord(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, slots: UnsafeMutableBufferPointer<CSVField>
    ) throws(DataError) -> (fieldCount: Int?, next: Int) {
        let count = buffer.count
        var index = start
        if buffer[index] == .newline || buffer[index] == .carriageReturn,
           buffer[index...].allSatisfy({ $0 == .newline || $0 == .carriageReturn }) {
            return (nil, count)
        }
        var fieldCount = 0
        while true {
            if index < count && buffer[index] == .quote {
                let opening = index
                index += 1
                var escaped = false
                while true {
                    guard index < count else {
                        throw error(at: opening, "unterminated quoted field: no closing `\"`")
                    }
                    let byte = buffer[index]
                    if byte == .quote {
                        guard index + 1 < count && buffer[index + 1] == .quote else { break }
                        escaped = true
                        index += 2
                    } else {
                        index += byte < 0x80 ? 1 : try sequenceLength(buffer, at: index)
                    }
                }
                if fieldCount < slots.count {
                    slots[fieldCount] = CSVField(start: opening + 1, end: index, isQuoted: true, hasEscapedQuotes: escaped)
                }
                index += 1
                if index < count, buffer[index] != .comma, buffer[index] != .newline, buffer[index] != .carriageReturn {
                    throw error(at: index, "unexpected text after a closing quote; a quoted field must end at `,` or the end of the line")
                }
            } else {
                let start = index
                while index < count {
                    let byte = buffer[index]
                    if byte == .comma || byte == .newline || byte == .carriageReturn { break }
                    index += byte < 0x80 ? 1 : try sequenceLength(buffer, at: index)
                }
                if fieldCount < slots.count {
                    slots[fieldCount] = CSVField(start: start, end: index, isQuoted: false, hasEscapedQuotes: false)
                }
            }
            fieldCount += 1
            if index == count { return (fieldCount, index) }
            if buffer[index] == .comma {
                index += 1
                continue
            }
            if buffer[index] == .carriageReturn {
                guard index + 1 < count && buffer[index + 1] == .newline else {
                    throw error(at: index, "carriage return without a line feed; lines must end in `\\n` or `\\r\\n`")
                }
                index += 1
            }
            return (fieldCount, index + 1)
        }
    }

    /// The length of the valid UTF-8 sequence at `index`, or a `.malformed` error at its position.
    private func sequenceLength(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) throws(DataError) -> Int {
        if let length = UTF8Validation.sequenceLength(buffer, at: index) { return length }
        let hex = String(buffer[index], radix: 16, uppercase: true)
        throw error(at: index, "invalid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); the file must be UTF-8 text")
    }
}

extension UInt8 {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let comma = UInt8(ascii: ",")
    static let quote = UInt8(ascii: "\"")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
}
