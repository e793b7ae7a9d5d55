import DLCRuntime
import Foundation

/// The report's HTML tables: the summary of the runs, and a sweep's leaderboard.
///
/// Numbers are right-aligned with tabular figures; the best value of each metric column is in
/// bold (highest accuracy, lowest loss and error); every name and cell is escaped.
public enum ReportTables {
    /// One row per run: name, spec name, status, epochs (and best epoch), final metrics,
    /// parameters and seconds, with a swatch of the run's colour from `colors`.
    public static func runSummary(_ runs: [RunFolder], colors: [String]) -> String {
        let metrics = orderedMetrics(Set(runs.flatMap { $0.summary?.metrics.keys.map { $0 } ?? [] }))
        var html = "<div class=\"table-wrap\"><table class=\"summary\"><thead><tr><th>run</th><th>spec</th><th>status</th>"
            + "<th class=\"num\">epochs</th>"
        html += metrics.map { "<th class=\"num\">\(HTMLText.escape(HTMLText.title($0)))</th>" }.joined()
        html += "<th class=\"num\">parameters</th><th class=\"num\">time</th></tr></thead><tbody>"
        let best = Dictionary(uniqueKeysWithValues: metrics.map { column in
            (column, runs.count > 1 ? bestValue(runs.compactMap { $0.summary?.metrics[column] }, column: column) : nil)
        })
        for (index, run) in runs.enumerated() {
            let color = colors.indices.contains(index) ? colors[index] : ChartPalette.color(index)
            html += "<tr><td class=\"name\">\(swatch(color))\(HTMLText.escape(run.name))</td>"
            html += "<td>\(HTMLText.escape(run.summary?.name ?? ""))</td><td>\(badge(run.summary?.status.rawValue ?? "", message: run.summary?.message))</td>"
            var epochs = run.epochsCompleted.map(String.init) ?? "\u{2014}"
            if let bestEpoch = run.summary?.bestEpoch, bestEpoch != run.epochsCompleted {
                epochs += " <span class=\"muted\">(best \(bestEpoch))</span>"
            }
            html += "<td class=\"num\">\(epochs)</td>"
            for column in metrics {
                html += numberCell(run.summary?.metrics[column], best: best[column] ?? nil)
            }
            html += "<td class=\"num\">\(run.summary.map { HTMLText.count($0.parameters) } ?? "\u{2014}")</td>"
            html += "<td class=\"num\">\(HTMLText.duration(run.summary?.seconds))</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    /// The leaderboard of `sweep`, best first: rank, trial, status, hyperparameters, epochs,
    /// metrics and seconds. The sweep's metric column is highlighted; failed trials are greyed.
    public static func leaderboard(_ sweep: SweepFolder, colors: [String: String]) -> String {
        let board = sweep.leaderboard, metric = sweep.settings.metric
        let hyperparameters = sweep.settings.hyperparameters
        let metrics = board.metricColumns
        var html = "<div class=\"table-wrap\"><table class=\"leaderboard\"><thead><tr><th class=\"num\">#</th><th>trial</th><th>status</th>"
        html += hyperparameters.map { "<th class=\"hyper\">\(HTMLText.escape(HTMLText.title($0)))</th>" }.joined()
        html += "<th class=\"num\">epochs</th>"
        for column in metrics {
            let sorted = column == metric
            let arrow = sorted ? (sweep.settings.maximize ? " \u{25BC}" : " \u{25B2}") : ""
            html += "<th class=\"num\(sorted ? " sorted" : "")\">\(HTMLText.escape(HTMLText.title(column)))\(arrow)</th>"
        }
        html += "<th class=\"num\">time</th></tr></thead><tbody>"
        var rank = 0
        for entry in board.ranked(metric: metric, maximize: sweep.settings.maximize) {
            let failed = board.isFailed(entry, metric: metric)
            if !failed { rank += 1 }
            let rowClass = failed ? "failed" : (rank == 1 ? "best" : "")
            html += "<tr class=\"\(rowClass)\"><td class=\"num muted\">\(failed ? "\u{2014}" : String(rank))</td>"
            let color = colors[entry.folderName] ?? ChartPalette.color(0)
            html += "<td class=\"name\">\(swatch(color))\(HTMLText.escape(entry.folderName))</td>"
            let message = sweep.trial(for: entry)?.summary?.message
            html += "<td>\(badge(entry.status, message: message))</td>"
            for name in hyperparameters {
                html += "<td class=\"hyper\">\(HTMLText.escape(HTMLText.value(entry.cells[name] ?? "")))</td>"
            }
            html += "<td class=\"num\">\(HTMLText.escape(entry.cells["epochs"] ?? ""))</td>"
            for column in metrics {
                let value = entry.cells[column].flatMap(CSVTable.number)
                html += "<td class=\"num\(column == metric ? " sorted" : "")\">\(HTMLText.number(value))</td>"
            }
            html += "<td class=\"num\">\(HTMLText.duration(entry.cells["seconds"].flatMap(CSVTable.number)))</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    /// Metric names in table order: train, then val, then test, then others; loss first within each.
    public static func orderedMetrics(_ names: Set<String>) -> [String] {
        func key(_ name: String) -> (Int, Int, String) {
            let prefixes = ["train_", "val_", "test_"]
            let group = prefixes.firstIndex { name.hasPrefix($0) } ?? prefixes.count
            return (group, name.hasSuffix("_loss") || name == "loss" ? 0 : 1, name)
        }
        return names.sorted { key($0) < key($1) }
    }

    /// Whether a larger value of the metric `column` is better (accuracy), rather than smaller (loss, error).
    public static func higherIsBetter(_ column: String) -> Bool {
        ["accuracy", "precision", "recall", "f1", "auc"].contains { column.hasSuffix($0) }
    }

    /// The best finite value of `values` for `column`, or nil when there is none.
    static func bestValue(_ values: [Double], column: String) -> Double? {
        let finite = values.filter(\.isFinite)
        return higherIsBetter(column) ? finite.max() : finite.min()
    }

    /// A right-aligned number cell, in bold when it equals `best`.
    private static func numberCell(_ value: Double?, best: Double?) -> String {
        let isBest = value != nil && value == best
        return "<td class=\"num\(isBest ? " top" : "")\">\(HTMLText.number(value))</td>"
    }

    /// A coloured status badge, with the run's message as its tooltip.
    static func badge(_ status: String, message: String?) -> String {
        let title = message.map { " title=\"\(HTMLText.escape($0))\"" } ?? ""
        return "<span class=\"badge \(HTMLText.statusClass(status))\"\(title)>\(HTMLText.escape(HTMLText.status(status)))</span>"
    }

    /// A small square in `color` before a name.
    static func swatch(_ color: String) -> String {
        "<span class=\"swatch\" style=\"background:\(HTMLText.escape(color))\"></span>"
    }
}
