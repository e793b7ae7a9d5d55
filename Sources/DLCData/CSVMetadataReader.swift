/// Reads a CSV source's metadata: its header, its row count and its target column's values.
///
/// The file is scanned once as bytes; only header names and target values become strings.
enum CSVMetadataReader {
    /// Reads the CSV at `resolvedPath`; errors name `path`, the path as written in the spec.
    static func read(path: String, resolvedPath: String, target: [String], features: [String]?) throws(DataError) -> DatasetMetadata {
        let table = try open(path: path, resolvedPath: resolvedPath, target: target, features: features)
        var scanner = table.scanner
        let header = table.header, columns = table.columns

        var exampleCount = 0
        var distinctValues = Set<ArraySlice<UInt8>>()
        var everyValueIsNumeric = true
        let isSingleTarget = columns.targetIndices.count == 1
        // One slot more than the header has, to point at the first extra field of a long row.
        var fields = [CSVField](repeating: .empty, count: header.count + 1)
        while let fieldCount = try scanner.nextRecord(into: &fields) {
            exampleCount += 1
            guard fieldCount == header.count else {
                throw fieldCountError(fields.prefix(fieldCount), count: fieldCount, expected: header.count, scanner: scanner)
            }
            for index in columns.targetIndices {
                let field = fields[index]
                let value = scanner.value(of: field)
                if value.isEmpty {
                    throw scanner.error(at: field.offset, "missing value for target column `\(header[index])`")
                }
                if isSingleTarget {
                    distinctValues.insert(value)
                } else if everyValueIsNumeric && !NumericText.isDecimal(value) {
                    everyValueIsNumeric = false
                }
            }
        }
        guard exampleCount > 0 else {
            throw .malformed(path: path, line: 1, column: 1, message: "the file has a header row but no data rows")
        }

        let dataTarget: DataTarget
        if isSingleTarget {
            everyValueIsNumeric = distinctValues.allSatisfy { NumericText.isDecimal($0) }
            // A set of strings also merges byte-different but canonically equal names (NFC and NFD).
            let names = Set(distinctValues.map { String(decoding: $0, as: UTF8.self) })
            dataTarget = .classes(DataTarget.sortedClassNames(names))
        } else {
            dataTarget = .values(width: columns.targetIndices.count)
        }
        return DatasetMetadata(
            exampleShape: [columns.featureIndices.count],
            exampleCount: exampleCount,
            featureNames: columns.featureIndices.map { header[$0] },
            target: dataTarget,
            targetIsNumeric: everyValueIsNumeric)
    }

    /// Reads the CSV at `resolvedPath` and its header, and selects the target and feature columns.
    ///
    /// Returns a scanner positioned at the first data row. Shared with ``CSVDatasetReader``.
    static func open(
        path: String, resolvedPath: String, target: [String], features: [String]?, allowsNoTarget: Bool = false
    ) throws(DataError) -> (scanner: CSVScanner, header: [String], columns: CSVColumnSelection) {
        let file = try DataFile.open(resolvedPath, reportedPath: path)
        let bytes = try file.readAll()
        if GzipReader.hasMagic(bytes) {
            throw .unreadable(path: path, reason: "the file is gzip-compressed; a CSV source must be uncompressed text")
        }
        var scanner = CSVScanner(bytes: bytes, path: path)
        guard let headerFields = try scanner.nextRecord() else {
            throw .malformed(path: path, line: 1, column: 1, message: "the file is empty; a CSV source needs a header row and data rows")
        }
        let header = try headerNames(headerFields, scanner: scanner)
        let columns = try CSVColumnSelection(header: header, target: target, features: features, path: path, allowsNoTarget: allowsNoTarget)
        return (scanner, header, columns)
    }

    /// The header's column names; each must be non-empty and unique.
    static func headerNames(_ fields: [CSVField], scanner: CSVScanner) throws(DataError) -> [String] {
        if fields.count == 1, let only = fields.first, scanner.value(of: only).isEmpty {
            throw scanner.error(at: only.offset, "the header row is empty; the first line must name the columns")
        }
        var names: [String] = []
        var firstField: [String: Int] = [:]
        for (index, field) in fields.enumerated() {
            let name = String(decoding: scanner.value(of: field), as: UTF8.self)
            if name.isEmpty {
                throw scanner.error(at: field.offset, "column \(index + 1) of the header has no name")
            }
            if let earlier = firstField[name] {
                throw scanner.error(at: field.offset, "duplicate column name `\(name)` (also column \(earlier + 1))")
            }
            firstField[name] = index
            names.append(name)
        }
        return names
    }

    /// "expected N fields, found M", at the first extra field or at the end of a short row.
    /// `fields` holds the row's first fields (up to `expected + 1` of them), `count` is their number.
    static func fieldCountError(_ fields: ArraySlice<CSVField>, count: Int, expected: Int, scanner: CSVScanner) -> DataError {
        if let only = fields.first, count == 1, only.start == only.end, !only.isQuoted {
            return scanner.error(at: only.offset, "empty line; expected \(expected) fields")
        }
        let message = "expected \(expected) fields, found \(count)"
        if count > expected, fields.count > expected {
            return scanner.error(at: fields[expected].offset, message)
        }
        return scanner.error(at: fields.last?.endOffset ?? 0, message)
    }
}
