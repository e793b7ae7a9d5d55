/// Loads a CSV source's examples: every feature cell as a float, the target as class indices or values.
///
/// The file is scanned once as bytes with ``CSVScanner``; cells are parsed in place by
/// ``DecimalFloatParser`` and only class labels become strings.
enum CSVDatasetReader {
    /// Loads the CSV at `resolvedPath`; errors name `path`, the path as written in the spec.
    ///
    /// A single target column holds class labels for `.classification` (sorted as
    /// ``DataTarget/sortedClassNames(_:)``) and numbers for `.regression`; several target
    /// columns are always regression targets.
    static func read(
        path: String, resolvedPath: String, target: [String], features: [String]?, task: DatasetTask
    ) throws(DataError) -> Dataset {
        let table = try CSVMetadataReader.open(path: path, resolvedPath: resolvedPath, target: target, features: features)
        var scanner = table.scanner
        let header = table.header
        let featureIndices = table.columns.featureIndices
        let targetIndices = table.columns.targetIndices
        let isClassification = task == .classification && targetIndices.count == 1
        let valuesPerRow = featureIndices.count + (isClassification ? 1 : targetIndices.count)

        var featureValues: [Float] = []
        var targetValues: [Float] = []
        var rawLabels: [Int] = []
        var labelIdentifiers: [ArraySlice<UInt8>: Int] = [:]
        var exampleCount = 0
        // One slot more than the header has, to point at the first extra field of a long row.
        var fields = [CSVField](repeating: .empty, count: header.count + 1)
        while let fieldCount = try scanner.nextRecord(into: &fields) {
            exampleCount += 1
            guard fieldCount == header.count else {
                throw CSVMetadataReader.fieldCountError(
                    fields.prefix(fieldCount), count: fieldCount, expected: header.count, scanner: scanner)
            }
            guard exampleCount <= Dataset.maximumValueCount / valuesPerRow else {
                throw .unreadable(path: path, reason: "the data has more than \(Dataset.maximumValueCount) values, larger than the 2 GiB limit")
            }
            var column = 0
            while column < featureIndices.count {
                // The common case (plain finite numbers) straight from the bytes; anything else
                // (escaped quotes, a bad cell) one cell at a time through `number`.
                column = scanner.withBytes { bytes in
                    appendPlainNumbers(fields, featureIndices, from: column, bytes: bytes, to: &featureValues)
                }
                if column < featureIndices.count {
                    let index = featureIndices[column]
                    featureValues.append(try number(fields[index], column: header[index], role: "column", scanner: scanner))
                    column += 1
                }
            }
            if isClassification {
                let field = fields[targetIndices[0]]
                let value = scanner.value(of: field)
                if value.isEmpty {
                    throw scanner.error(at: field.offset, "missing value for target column `\(header[targetIndices[0]])`")
                }
                if let identifier = labelIdentifiers[value] {
                    rawLabels.append(identifier)
                } else {
                    let identifier = labelIdentifiers.count
                    labelIdentifiers[value] = identifier
                    rawLabels.append(identifier)
                }
            } else {
                for index in targetIndices {
                    targetValues.append(try number(fields[index], column: header[index], role: "target column", scanner: scanner))
                }
            }
        }
        guard exampleCount > 0 else {
            throw .malformed(path: path, line: 1, column: 1, message: "the file has a header row but no data rows")
        }

        var labels: [Float] = []
        var classNames: [String] = []
        if isClassification {
            (labels, classNames) = classIndices(rawLabels, identifiers: labelIdentifiers)
        }
        return Dataset(
            features: featureValues,
            exampleShape: [featureIndices.count],
            count: exampleCount,
            labels: labels,
            targets: targetValues,
            targetWidth: isClassification ? 1 : targetIndices.count,
            classNames: classNames)
    }

    /// Appends the values of the cells `fields[indices[first...]]` to `values` while they are plain
    /// finite numbers; returns the position in `indices` where it stopped (`indices.count` when done).
    @inline(__always)
    private static func appendPlainNumbers(
        _ fields: [CSVField], _ indices: [Int], from first: Int, bytes: UnsafeBufferPointer<UInt8>, to values: inout [Float]
    ) -> Int {
        var position = first
        while position < indices.count {
            let field = fields[indices[position]]
            guard !field.hasEscapedQuotes else { return position }
            var start = field.start, end = field.end
            while start < end && (bytes[start] == .space || bytes[start] == .tab) { start += 1 }
            while end > start && (bytes[end - 1] == .space || bytes[end - 1] == .tab) { end -= 1 }
            guard let value = DecimalFloatParser.parse(UnsafeBufferPointer(rebasing: bytes[start..<end])),
                  value.isFinite else { return position }
            values.append(value)
            position += 1
        }
        return position
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

    /// Maps first-seen label identifiers to class indices over the sorted class names.
    ///
    /// Names are compared as strings, so byte-different but canonically equal labels (NFC and
    /// NFD) are one class, as ``CSVMetadataReader`` counts them.
    private static func classIndices(
        _ rawLabels: [Int], identifiers: [ArraySlice<UInt8>: Int]
    ) -> (labels: [Float], classNames: [String]) {
        var rawNames = [String](repeating: "", count: identifiers.count)
        for (bytes, identifier) in identifiers {
            rawNames[identifier] = String(decoding: bytes, as: UTF8.self)
        }
        let classNames = DataTarget.sortedClassNames(Set(rawNames))
        var classOfName: [String: Int] = [:]
        for (index, name) in classNames.enumerated() { classOfName[name] = index }
        let classOfIdentifier = rawNames.map { name -> Float in
            guard let index = classOfName[name] else { preconditionFailure("internal: class `\(name)` was not sorted") }
            return Float(index)
        }
        return (rawLabels.map { classOfIdentifier[$0] }, classNames)
    }
}
