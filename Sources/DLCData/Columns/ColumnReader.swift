/// Reads one feature column's cells while ``CSVDatasetReader`` scans a file.
struct ColumnReader {
    /// The most distinct values a category column may have: codes stay exact in `Float`.
    static let maximumCategories = 1 << 24

    let isCategory: Bool
    /// A category column's distinct values, by first-seen code.
    var table = ByteStringTable()
    var missingCount = 0
    var firstMissingOffset: Int?
    /// Text in a number column (only counted when the reader collects problems).
    var textCount = 0
    var firstTextOffset: Int?
    var textSamples: [String] = []

    init(isCategory: Bool) {
        self.isCategory = isCategory
    }

    /// The cell's value: a number, a first-seen category code, or NaN for a missing cell.
    @inline(__always)
    mutating func read(
        _ field: CSVField, bytes: UnsafeBufferPointer<UInt8>, missing: MissingCells, scanner: CSVScanner, column: String, collectsProblems: Bool
    ) throws(DataError) -> Float {
        if field.hasEscapedQuotes {
            // Rare: undo the doubled quotes into a copy.
            let value = scanner.value(of: field)
            return try value.withUnsafeBufferPointer { (cell) throws(DataError) in
                try read(cell: cell, field: field, missing: missing, scanner: scanner, column: column, collectsProblems: collectsProblems)
            }
        }
        var start = field.start, end = field.end
        while start < end && (bytes[start] == .space || bytes[start] == .tab) { start += 1 }
        while end > start && (bytes[end - 1] == .space || bytes[end - 1] == .tab) { end -= 1 }
        let cell = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if !isCategory, let value = DecimalFloatParser.parse(cell), value.isFinite { return value }
        return try read(cell: cell, field: field, missing: missing, scanner: scanner, column: column, collectsProblems: collectsProblems)
    }

    /// A category cell, or a number cell that is not a plain finite number.
    private mutating func read(
        cell: UnsafeBufferPointer<UInt8>, field: CSVField, missing: MissingCells, scanner: CSVScanner, column: String, collectsProblems: Bool
    ) throws(DataError) -> Float {
        if missing.contains(cell) {
            missingCount += 1
            if firstMissingOffset == nil { firstMissingOffset = field.offset }
            return .nan
        }
        if isCategory { return Float(table.intern(cell)) }
        if let value = DecimalFloatParser.parse(cell), value.isFinite { return value }
        let text = ArraySlice(cell)
        guard collectsProblems, !NumericText.isDecimal(text), !isNonFinite(text) else {
            var problem = CSVDatasetReader.problem(with: text, column: column, role: "column")
            if !NumericText.isDecimal(text) && !isNonFinite(text) {
                problem += "; a column of text needs `\(column): category` under `data.columns`"
            }
            throw scanner.error(at: field.offset, problem)
        }
        textCount += 1
        if firstTextOffset == nil { firstTextOffset = field.offset }
        if textSamples.count < 5 {
            let sample = String(decoding: cell.prefix(40), as: UTF8.self)
            if !textSamples.contains(sample) { textSamples.append(sample) }
        }
        return .nan
    }

    private func isNonFinite(_ text: ArraySlice<UInt8>) -> Bool {
        let unsigned = text.first == .plus || text.first == .minus ? text.dropFirst() : text
        let word = String(decoding: unsigned, as: UTF8.self).lowercased()
        return word == "inf" || word == "infinity" || word == "nan"
    }

    /// For each first-seen code its index among the sorted values, and the sorted values.
    ///
    /// Values equal as strings (NFC and NFD spellings of one name) become one value.
    func sortedCodes() -> (codes: [Float], values: [String]) {
        let names = (0..<table.count).map { table.string($0) }
        let sorted = DataTarget.sortedClassNames(Set(names))
        var indexOf: [String: Int] = [:]
        for (index, name) in sorted.enumerated() { indexOf[name] = index }
        return (names.map { Float(indexOf[$0] ?? 0) }, sorted)
    }
}
