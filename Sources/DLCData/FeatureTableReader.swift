/// Reads the feature columns of a CSV file without a target, for `dlc predict`.
public enum FeatureTableReader {
    /// The selected columns of every row, as floats `[rows, columns.count]`.
    ///
    /// `columns` names the features in order; `nil` takes every column of the header.
    /// Errors name `path` with the line and column of a bad cell.
    public static func read(path: String, columns: [String]?) throws(DataError) -> (values: [Float], rows: Int, columns: [String]) {
        let file = try DataFile.open(DataFile.resolve(path, baseDirectory: ""), reportedPath: path)
        let bytes = try file.readAll()
        if GzipReader.hasMagic(bytes) {
            throw .unreadable(path: path, reason: "the file is gzip-compressed; the input must be uncompressed CSV text")
        }
        var scanner = CSVScanner(bytes: bytes, path: path)
        guard let headerFields = try scanner.nextRecord() else {
            throw .malformed(path: path, line: 1, column: 1, message: "the file is empty; the input needs a header row and data rows")
        }
        let header = try CSVMetadataReader.headerNames(headerFields, scanner: scanner)
        var indices: [Int] = []
        for name in columns ?? header {
            guard let index = header.firstIndex(of: name) else { throw .missingColumn(column: name, available: header) }
            indices.append(index)
        }
        var values: [Float] = []
        var rows = 0
        var fields = [CSVField](repeating: .empty, count: header.count + 1)
        while let count = try scanner.nextRecord(into: &fields) {
            guard count == header.count else {
                throw CSVMetadataReader.fieldCountError(fields.prefix(count), count: count, expected: header.count, scanner: scanner)
            }
            for index in indices {
                values.append(try CSVDatasetReader.number(fields[index], column: header[index], role: "column", scanner: scanner))
            }
            rows += 1
            guard values.count <= Dataset.maximumValueCount else {
                throw .unreadable(path: path, reason: "the input is larger than the 2 GiB limit")
            }
        }
        guard rows > 0 else { throw .malformed(path: path, line: 1, column: 1, message: "the file has a header row but no data rows") }
        return (values, rows, indices.map { header[$0] })
    }
}
