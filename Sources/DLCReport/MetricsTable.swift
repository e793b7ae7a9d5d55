import DLCRuntime
import Foundation

/// A run's `metrics.csv` as numbers: one row per epoch, one optional value per column.
///
/// ```
/// epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate
/// 1,1.2753,0.475,0.5125,0.7333,0.01
/// ```
/// An empty cell is nil; `nan`, `inf` and `-inf` read as such (plots skip them); any other text
/// that is not a number is an error naming the file, line and column. The `epoch` column is
/// optional: without it, rows are epochs 1, 2, 3, ...
public struct MetricsTable: Sendable, Hashable {
    /// How a column takes part in a chart.
    public enum Role: String, Sendable, Hashable {
        /// `train_<quantity>`: drawn solid.
        case train
        /// `val_<quantity>`: drawn dashed.
        case validation
        /// A column without a split prefix, such as `learning_rate`: drawn solid.
        case value
    }

    /// One chart's worth of columns: `loss` from `train_loss` and `val_loss`, ...
    public struct Quantity: Sendable, Hashable {
        /// The quantity's name without its split prefix: `loss`, `accuracy`, `learning_rate`.
        public var name: String
        /// The columns that hold it, train before validation.
        public var columns: [Column]
    }

    /// A column of a quantity and its role.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var role: Role
    }

    /// The column names other than `epoch`, in file order.
    public let columns: [String]
    /// The epoch of each row.
    public let epochs: [Double]
    /// The values of each column (by name), one per row.
    private let values: [String: [Double?]]

    /// Parses the text of a `metrics.csv`; `path` is used in messages.
    public init(parsing text: String, path: String) throws(ReportError) {
        try self.init(table: try CSVTable(parsing: text, path: path))
    }

    /// Reads and parses the `metrics.csv` at `path`.
    public init(contentsOf path: String) throws(ReportError) {
        try self.init(table: try CSVTable(contentsOf: path, purpose: "the per-epoch metrics `dlc run` writes"))
    }

    /// Converts every cell of `table` to a number.
    init(table: CSVTable) throws(ReportError) {
        let others = table.columns.filter { $0 != "epoch" }
        guard !others.isEmpty else {
            throw .malformed(path: table.path, line: 1, reason: "no metric columns; expected a header like `epoch,train_loss,...`")
        }
        var values: [String: [Double?]] = [:]
        var epochs: [Double] = []
        let epochIndex = table.index(of: "epoch")
        for (rowNumber, row) in table.rows.enumerated() {
            var epoch = Double(rowNumber + 1)
            if let epochIndex {
                guard let value = try table.number(row.cells[epochIndex], column: "epoch", line: row.line), value.isFinite else {
                    throw .malformed(path: table.path, line: row.line, reason: "the `epoch` cell is empty or not a finite number")
                }
                epoch = value
            }
            epochs.append(epoch)
            for (index, column) in table.columns.enumerated() where index != epochIndex {
                values[column, default: []].append(try table.number(row.cells[index], column: column, line: row.line))
            }
        }
        self.columns = others
        self.epochs = epochs
        self.values = values
    }

    /// The number of rows (epochs).
    public var rowCount: Int { epochs.count }

    /// The values of `column`, one per row (nil where the cell is empty), or nil when there is no such column.
    public func values(of column: String) -> [Double?]? {
        columns.contains(column) ? (values[column] ?? []) : nil
    }

    /// The points `(epoch, value)` of `column`, one per row: nil where the cell is empty, NaN or
    /// infinite, so a chart leaves a gap there. Empty when there is no such column.
    public func series(of column: String) -> [ChartPoint?] {
        guard let column = values(of: column) else { return [] }
        return zip(epochs, column).map { epoch, value in
            guard let value, value.isFinite else { return nil }
            return ChartPoint(x: epoch, y: value)
        }
    }

    /// The value of `column` at `epoch`, when present and finite.
    public func value(of column: String, atEpoch epoch: Double) -> Double? {
        guard let row = epochs.firstIndex(of: epoch), let value = values(of: column)?[row], value.isFinite else { return nil }
        return value
    }

    /// The quantities to chart, in order: `loss`, then each metric in column order, then columns
    /// without a split prefix (`learning_rate` last of all).
    public var quantities: [Quantity] {
        Self.quantities(of: columns)
    }

    /// The quantities of a list of column names (the union over several runs works too).
    public static func quantities(of columns: [String]) -> [Quantity] {
        var order: [String] = []
        var grouped: [String: [Column]] = [:]
        for column in columns {
            let (name, role) = split(column)
            if grouped[name] == nil { order.append(name) }
            if !(grouped[name] ?? []).contains(where: { $0.name == column }) {
                grouped[name, default: []].append(Column(name: column, role: role))
            }
        }
        func rank(_ name: String) -> Int {
            if name == "loss" { return 0 }
            if name == "learning_rate" { return 3 }
            return (grouped[name] ?? []).contains { $0.role != .value } ? 1 : 2
        }
        let sorted = order.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
        return sorted.map { _, name in
            let columns = (grouped[name] ?? []).sorted { ($0.role == .validation ? 1 : 0) < ($1.role == .validation ? 1 : 0) }
            return Quantity(name: name, columns: columns)
        }
    }

    /// `train_loss` -> (`loss`, train); `val_accuracy` -> (`accuracy`, validation); `learning_rate` -> itself.
    static func split(_ column: String) -> (name: String, role: Role) {
        if column.hasPrefix("train_"), column.count > 6 { return (String(column.dropFirst(6)), .train) }
        if column.hasPrefix("val_"), column.count > 4 { return (String(column.dropFirst(4)), .validation) }
        return (column, .value)
    }
}

/// A point of a chart in data units.
public struct ChartPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
