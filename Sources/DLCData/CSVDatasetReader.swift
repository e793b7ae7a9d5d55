/// Loads a CSV source's examples as a ``RawTable``: number cells as floats, category cells as
/// codes, missing cells as NaN, the target as class indices or values.
///
/// The file is scanned once as bytes with ``CSVScanner``; number cells are parsed in place by
/// ``DecimalFloatParser``, category cells interned by ``ByteStringTable``, and only distinct
/// values become strings.
enum CSVDatasetReader {
    /// What to read and how.
    struct Request {
        var path: String
        var resolvedPath: String
        /// The target columns; empty (for `predict`) reads no target.
        var target: [String]
        var features: [String]?
        var task: DatasetTask
        var columns: ColumnTypes
        /// Whether text in an undeclared number column is recorded in ``RawColumn/text`` (the
        /// checker's reading) rather than thrown as an error at its cell.
        var collectsProblems = false
    }

    /// Reads the CSV `request` names; errors name `request.path`, the path as written in the spec.
    ///
    /// A single target column holds class labels for `.classification` (sorted as
    /// ``DataTarget/sortedClassNames(_:)``) and numbers for `.regression`; several target
    /// columns are always regression targets.
    static func read(_ request: Request) throws(DataError) -> RawTable {
        let path = request.path
        let table = try CSVMetadataReader.open(path: path, resolvedPath: request.resolvedPath, target: request.target,
                                               features: request.features, allowsNoTarget: request.target.isEmpty)
        var scanner = table.scanner
        let header = table.header
        let featureIndices = table.columns.featureIndices
        let targetIndices = table.columns.targetIndices
        let isClassification = request.task == .classification && targetIndices.count == 1
        let valuesPerRow = featureIndices.count + max(1, targetIndices.count)
        let missing = MissingCells(request.columns.missingValues)
        var columns = featureIndices.map { ColumnReader(isCategory: request.columns.isCategory(header[$0])) }

        var featureValues: [Float] = []
        var targetValues: [Float] = []
        var labels = ByteStringTable()
        var rawLabels: [Int32] = []
        var exampleCount = 0, droppedRows = 0
        // One slot more than the header has, to point at the first extra field of a long row.
        var fields = [CSVField](repeating: .empty, count: header.count + 1)
        rows: while let fieldCount = try scanner.nextRecord(into: &fields) {
            guard fieldCount == header.count else {
                throw CSVMetadataReader.fieldCountError(fields.prefix(fieldCount), count: fieldCount, expected: header.count, scanner: scanner)
            }
            guard exampleCount < Dataset.maximumValueCount / valuesPerRow else {
                throw .unreadable(path: path, reason: "the data has more than \(Dataset.maximumValueCount) values, larger than the 2 GiB limit")
            }
            for index in targetIndices {
                let field = fields[index]
                let value = scanner.value(of: field)
                guard !missing.contains(value) else {
                    if request.columns.dropsMissingTarget {
                        droppedRows += 1
                        continue rows
                    }
                    throw scanner.error(at: field.offset, "missing value for target column `\(header[index])`"
                                        + " (`missing_target: drop` leaves such rows out)")
                }
            }
            exampleCount += 1
            if isClassification {
                let value = scanner.value(of: fields[targetIndices[0]])
                rawLabels.append(value.withUnsafeBufferPointer { labels.intern($0) })
            } else {
                for index in targetIndices {
                    targetValues.append(try number(fields[index], column: header[index], role: "target column", scanner: scanner))
                }
            }
            try scanner.withBytes { (bytes) throws(DataError) in
                for position in 0..<featureIndices.count {
                    let field = fields[featureIndices[position]]
                    let value = try columns[position].read(field, bytes: bytes, missing: missing, scanner: scanner,
                                                           column: header[featureIndices[position]], collectsProblems: request.collectsProblems)
                    featureValues.append(value)
                }
            }
        }
        guard exampleCount > 0 else {
            let message = droppedRows > 0 ? "every row's target is missing" : "the file has a header row but no data rows"
            throw .malformed(path: path, line: 1, column: 1, message: message)
        }

        let finished = try finish(&columns, header: featureIndices.map { header[$0] }, values: &featureValues, scanner: scanner, path: path)
        var classes: (labels: [Float], names: [String]) = ([], [])
        if isClassification { classes = classIndices(rawLabels, table: labels) }
        let dataset = Dataset(
            features: featureValues, exampleShape: [featureIndices.count], count: exampleCount,
            labels: classes.labels, targets: targetValues,
            targetWidth: isClassification || targetIndices.isEmpty ? 1 : targetIndices.count, classNames: classes.names)
        return RawTable(dataset: dataset, columns: finished, path: path, droppedRows: droppedRows)
    }

    /// Sorts each category column's values, rewrites its codes in that order, and works out the
    /// lines and columns of the first missing and text cells.
    private static func finish(
        _ readers: inout [ColumnReader], header: [String], values: inout [Float], scanner: CSVScanner, path: String
    ) throws(DataError) -> [RawColumn] {
        var offsets: [Int] = []
        for reader in readers {
            if let offset = reader.firstMissingOffset { offsets.append(offset) }
            if let offset = reader.firstTextOffset { offsets.append(offset) }
        }
        var locations = scanner.locations(of: offsets)[...]
        let width = readers.count
        var columns: [RawColumn] = []
        for (position, reader) in readers.enumerated() {
            var column = RawColumn(name: header[position], kind: .number, missingCount: reader.missingCount)
            if reader.firstMissingOffset != nil { column.firstMissing = locations.popFirst() }
            if reader.firstTextOffset != nil, let first = locations.popFirst() {
                column.text = RawColumn.Text(first: first, count: reader.textCount, samples: reader.textSamples)
            }
            if reader.isCategory {
                guard reader.table.count <= ColumnReader.maximumCategories else {
                    throw .malformed(path: path, line: nil, column: nil,
                                     message: "column `\(header[position])` has over \(ColumnReader.maximumCategories) distinct values; that is not a category")
                }
                let (codes, sorted) = reader.sortedCodes()
                values.withUnsafeMutableBufferPointer { cells in
                    var index = position
                    while index < cells.count {
                        if !cells[index].isNaN { cells[index] = codes[Int(cells[index])] }
                        index += width
                    }
                }
                column.kind = .category(values: sorted)
            }
            columns.append(column)
        }
        return columns
    }

    /// The value of a numeric cell, or a `.malformed` error at its position.
    static func number(_ field: CSVField, column: String, role: String, scanner: CSVScanner) throws(DataError) -> Float {
        let text = scanner.value(of: field)
        if let value = DecimalFloatParser.parse(text), value.isFinite { return value }
        throw scanner.error(at: field.offset, problem(with: text, column: column, role: role))
    }

    /// Why `text` is not a usable number: empty, not finite, out of the float32 range or not a number.
    static func problem(with text: ArraySlice<UInt8>, column: String, role: String) -> String {
        if text.isEmpty {
            return role == "column"
                ? "empty value in column `\(column)`; every feature must be a number"
                : "missing value for \(role) `\(column)`"
        }
        let shown = String(decoding: text.prefix(40), as: UTF8.self) + (text.count > 40 ? "..." : "")
        if NumericText.isDecimal(text) {
            return "`\(shown)` in \(role) `\(column)` is out of the float32 range"
        }
        let unsigned = text.first == .plus || text.first == .minus ? text.dropFirst() : text
        let word = String(decoding: unsigned, as: UTF8.self).lowercased()
        if word == "nan" || word == "inf" || word == "infinity" {
            return "`\(shown)` in \(role) `\(column)` is not a finite number"
        }
        return "`\(shown)` in \(role) `\(column)` is not a number"
    }

    /// Maps first-seen label codes to class indices over the sorted class names.
    ///
    /// Names are compared as strings, so byte-different but canonically equal labels (NFC and
    /// NFD) are one class, as ``CSVMetadataReader`` counts them.
    private static func classIndices(_ rawLabels: [Int32], table: ByteStringTable) -> (labels: [Float], names: [String]) {
        let rawNames = (0..<table.count).map { table.string($0) }
        let classNames = DataTarget.sortedClassNames(Set(rawNames))
        var classOfName: [String: Int] = [:]
        for (index, name) in classNames.enumerated() { classOfName[name] = index }
        let classOfCode = rawNames.map { Float(classOfName[$0] ?? 0) }
        return (rawLabels.map { classOfCode[Int($0)] }, classNames)
    }
}
