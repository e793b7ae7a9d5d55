import DLCRuntime
import Foundation

/// A sweep's `leaderboard.csv`: one row per trial, its hyperparameter values and final metrics.
///
/// ```
/// trial,status,hidden_layers,neurons,learning_rate,epochs,train_loss,val_accuracy,val_loss,seconds
/// 0,completed,1,8,0.003,100,0.21,0.9333,0.25,0.41
/// 1,failed,1,8,0.03,0,,,,0.02
/// ```
/// `trial` and `status` must be there, and so must every hyperparameter `sweep.json` names. A
/// metric column may be absent (when no trial reported it); its values are then all missing.
public struct LeaderboardTable: Sendable, Hashable {
    /// One trial's row.
    public struct Entry: Sendable, Hashable {
        /// The `trial` cell: an index (`3`) or a folder name.
        public var trial: String
        /// `completed`, `stopped_early`, `interrupted` or `failed`.
        public var status: String
        /// Every cell by column name, as text.
        public var cells: [String: String]
        /// The line of the row in the file.
        public var line: Int

        /// The trial's folder name: `trial-003` for the index `3`, or the cell itself.
        public var folderName: String {
            if let index = Int(trial), index >= 0 { return String(format: "trial-%03d", index) }
            return trial
        }

        /// The trial's index when the cell is a number (`3` or `trial-003`), for ordering.
        public var index: Int? {
            Int(trial) ?? (trial.hasPrefix("trial-") ? Int(trial.dropFirst(6)) : nil)
        }

        /// The finite number in `column`, or nil when the cell is empty, not a number or not finite.
        public func number(_ column: String) -> Double? {
            guard let text = cells[column], let value = CSVTable.number(text), value.isFinite else { return nil }
            return value
        }
    }

    /// The column names, in file order.
    public let columns: [String]
    /// The rows, ordered by trial index (rows without one keep their file order, after the rest).
    public let entries: [Entry]
    /// The columns after `epochs` and before `seconds`: the final metrics.
    public let metricColumns: [String]

    /// Parses the text of a `leaderboard.csv`, checking it names every one of `hyperparameters`.
    public init(parsing text: String, path: String, hyperparameters: [String]) throws(ReportError) {
        let table = try CSVTable(parsing: text, path: path)
        for required in ["trial", "status"] + hyperparameters where table.index(of: required) == nil {
            let what = hyperparameters.contains(required) ? "the hyperparameter `\(required)` named in sweep.json" : "`\(required)`"
            throw .malformed(path: path, line: 1, reason: "the header has no column for \(what)")
        }
        let rows = table.rows.map { row in
            Entry(trial: table.cell(row, "trial") ?? "", status: (table.cell(row, "status") ?? "").trimmingCharacters(in: .whitespaces),
                  cells: Dictionary(uniqueKeysWithValues: zip(table.columns, row.cells)), line: row.line)
        }
        for entry in rows where entry.trial.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .malformed(path: path, line: entry.line, reason: "the `trial` cell is empty")
        }
        columns = table.columns
        entries = rows.enumerated().sorted { a, b in
            (a.element.index ?? Int.max, a.offset) < (b.element.index ?? Int.max, b.offset)
        }.map(\.element)
        metricColumns = Self.metricColumns(table.columns, hyperparameters: hyperparameters)
    }

    /// Reads and parses the `leaderboard.csv` at `path`.
    public init(contentsOf path: String, hyperparameters: [String]) throws(ReportError) {
        let text = try ReportError.readText(path, purpose: "the trial table `dlc sweep` writes")
        try self.init(parsing: text, path: path, hyperparameters: hyperparameters)
    }

    /// Whether `entry` failed, or has no finite value of `metric` to rank it by.
    public func isFailed(_ entry: Entry, metric: String) -> Bool {
        entry.status == "failed" || entry.number(metric) == nil
    }

    /// The entries best first by `metric` (ties: the lower trial), then those without a value,
    /// in trial order.
    public func ranked(metric: String, maximize: Bool) -> [Entry] {
        let ranked = entries.enumerated().filter { !isFailed($0.element, metric: metric) }.sorted { a, b in
            let (x, y) = (a.element.number(metric) ?? 0, b.element.number(metric) ?? 0)
            if x != y { return maximize ? x > y : x < y }
            return a.offset < b.offset
        }.map(\.element)
        return ranked + entries.filter { isFailed($0, metric: metric) }
    }

    /// The best entry by `metric`, or nil when every trial failed.
    public func best(metric: String, maximize: Bool) -> Entry? {
        ranked(metric: metric, maximize: maximize).first { !isFailed($0, metric: metric) }
    }

    /// The metric columns: those between `epochs` and `seconds` when both are there, otherwise
    /// every column that is neither bookkeeping nor a hyperparameter.
    static func metricColumns(_ columns: [String], hyperparameters: [String]) -> [String] {
        let bookkeeping: Set<String> = ["trial", "status", "epochs", "seconds"]
        if let start = columns.firstIndex(of: "epochs"), let end = columns.lastIndex(of: "seconds"), start < end {
            return columns[(start + 1)..<end].filter { !hyperparameters.contains($0) }
        }
        return columns.filter { !bookkeeping.contains($0) && !hyperparameters.contains($0) }
    }
}
