/// A CSV source as read, before anything is fitted: numbers as they are, categories as codes.
///
/// `dataset.features` is `[count, columns.count]`, one value per feature column: a number
/// column's value, or a category column's code (an index into its sorted `values`); a missing
/// cell is NaN. ``FeatureEncoding`` turns it into the model's features once it has been fitted
/// on the training split, so a split is a ``Dataset/subset(_:)`` of this table like any other set.
public struct RawTable: Sendable {
    /// The raw cells and the labels or targets.
    public var dataset: Dataset
    /// The feature columns, in the order of `dataset`'s values.
    public var columns: [RawColumn]
    /// The file as the spec names it.
    public var path: String
    /// Rows left out because their target was missing (`missing_target: drop`).
    public var droppedRows: Int

    public init(dataset: Dataset, columns: [RawColumn], path: String, droppedRows: Int) {
        self.dataset = dataset
        self.columns = columns
        self.path = path
        self.droppedRows = droppedRows
    }
}

/// One feature column of a ``RawTable``.
public struct RawColumn: Sendable, Hashable {
    /// How the column was read.
    public enum Kind: Sendable, Hashable {
        /// Numbers.
        case number
        /// Categories; a cell holds the index of its value in `values` (sorted as
        /// ``DataTarget/sortedClassNames(_:)``, so the order does not depend on the rows').
        case category(values: [String])
    }

    /// Text found in a column read as numbers that the spec did not declare.
    public struct Text: Sendable, Hashable {
        /// Where the first such cell is.
        public var first: CellLocation
        /// The number of such cells.
        public var count: Int
        /// Up to five distinct values, in the order met.
        public var samples: [String]
    }

    /// The header's name for the column.
    public var name: String
    public var kind: Kind
    /// The number of missing cells (empty or a `missing_values` spelling).
    public var missingCount: Int
    /// Where the first missing cell is.
    public var firstMissing: CellLocation?
    /// Text met in an undeclared column of numbers (only when the reader collects problems).
    public var text: Text?
}

/// A cell's position in a text file: 1-based line and column (in Unicode scalars).
public struct CellLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

extension CSVScanner {
    /// The line and column of each byte offset in `offsets`, in one pass over the bytes.
    func locations(of offsets: [Int]) -> [CellLocation] {
        let order = offsets.indices.sorted { offsets[$0] < offsets[$1] }
        var result = [CellLocation](repeating: CellLocation(line: 1, column: 1), count: offsets.count)
        withBytes { bytes in
            var line = 1, lineStart = 0, index = 0
            for position in order {
                let offset = min(max(offsets[position], 0), bytes.count)
                while index < offset {
                    if bytes[index] == .newline {
                        line += 1
                        lineStart = index + 1
                    }
                    index += 1
                }
                var column = 1
                for scan in lineStart..<offset where bytes[scan] & 0xC0 != 0x80 { column += 1 }
                // A byte order mark at the start of the file is not a column.
                if line == 1 && bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF && offset >= 3 { column -= 1 }
                result[position] = CellLocation(line: line, column: column)
            }
        }
        return result
    }
}
