import Foundation

/// The rows of a run's `metrics.csv`: one per epoch, a fixed set of columns.
///
/// Output is byte-identical for identical inputs:
/// - a header row of the column names, then one row per `append`, each ending in `\n`;
///   fields are separated by `,` and only names containing `,`, `"` or a line break are quoted;
/// - a missing value is an empty cell;
/// - a value in an integer column (`epoch` by default) that is a whole number is written as an
///   integer: `3`;
/// - every other value is written as the shortest text that reads back as the same float32,
///   Swift's `Float.description`: `0.25`, `0.1`, `2.0`, `1e-05`, `nan`, `inf`, `-inf`.
///   Losses and metrics are float32 quantities, so this keeps every digit that carries
///   information and no noise digits of the float64 widening.
///
/// ```
/// epoch,train_loss,val_accuracy
/// 1,0.6931472,0.5
/// 2,0.4012,
/// ```
public struct MetricsLog: Sendable, Hashable {
    /// The columns, in output order.
    public let columns: [String]
    /// Columns whose whole-number values are written as integers.
    public let integerColumns: Set<String>
    /// One entry per row, one optional value per column.
    private var rows: [[Double?]] = []

    /// A log with `columns` in that order, such as `epoch, train_loss, train_accuracy,
    /// val_loss, val_accuracy, learning_rate, seconds`.
    public init(columns: [String], integerColumns: Set<String> = ["epoch"]) {
        self.columns = columns
        self.integerColumns = integerColumns
    }

    /// The number of rows appended so far.
    public var rowCount: Int { rows.count }

    /// Appends one row. Columns missing from `values` get an empty cell; keys that are not
    /// columns are ignored.
    public mutating func append(_ values: [String: Double]) {
        rows.append(columns.map { values[$0] })
    }

    /// The value of `column` in row `row` (0-based), or nil when missing or out of range.
    public func value(row: Int, column: String) -> Double? {
        guard rows.indices.contains(row), let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }

    /// The whole file: header row and data rows, each ending in `\n`.
    public func csv() -> String {
        var lines = [columns.map(Self.escaped).joined(separator: ",")]
        for row in rows {
            let cells = zip(columns, row).map { column, value in
                value.map { Self.formatted($0, asInteger: integerColumns.contains(column)) } ?? ""
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `csv()` to `path` atomically; rewriting after every epoch keeps a killed run's
    /// file complete up to its last finished epoch.
    public func write(to path: String) throws(AtomicFileError) {
        try AtomicFile.write(csv(), to: path)
    }

    /// `value` as the log writes it: an integer when `asInteger` and the value is a whole
    /// number of magnitude below 2^53, otherwise the shortest round-trip text of `Float(value)`.
    public static func formatted(_ value: Double, asInteger: Bool = false) -> String {
        if asInteger, value.rounded() == value, abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return Float(value).description
    }

    /// `name` as a CSV field: quoted, with `"` doubled, when it holds `,`, `"` or a line break.
    private static func escaped(_ name: String) -> String {
        guard name.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return name }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
