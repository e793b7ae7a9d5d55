import DLCRuntime
import Foundation

/// The part of the page about one sweep: its key figures, the leaderboard, one scatter plot per
/// hyperparameter and the training curves of its trials.
///
/// Every trial keeps one colour (by trial order) in the leaderboard, the scatter plots and the
/// curves, and the best trial is drawn larger and on top.
public struct SweepSection: Sendable, Hashable {
    public var sweep: SweepFolder

    public init(sweep: SweepFolder) {
        self.sweep = sweep
    }

    /// Each trial folder's colour by name, in trial order.
    public var colors: [String: String] {
        var colors: [String: String] = [:]
        for (index, entry) in sweep.leaderboard.entries.enumerated() where colors[entry.folderName] == nil {
            colors[entry.folderName] = ChartPalette.color(index)
        }
        return colors
    }

    /// The best trial, when any finished with a metric value.
    public var best: LeaderboardTable.Entry? {
        sweep.leaderboard.best(metric: sweep.settings.metric, maximize: sweep.settings.maximize)
    }

    /// One scatter plot per hyperparameter of `sweep.json`, in its order.
    public func scatterPlots() -> [ScatterPlot] {
        let colors = self.colors, metric = sweep.settings.metric, best = self.best
        return sweep.settings.hyperparameters.map { name in
            let points = sweep.leaderboard.entries.map { entry in
                let failed = sweep.leaderboard.isFailed(entry, metric: metric)
                let values = sweep.settings.hyperparameters.map { "\($0)=\(entry.cells[$0] ?? "")" }.joined(separator: ", ")
                let outcome = failed ? HTMLText.status(entry.status.isEmpty ? "failed" : entry.status)
                    + (entry.status == "failed" ? "" : ", no \(HTMLText.title(metric))")
                    : "\(HTMLText.title(metric)) \(HTMLText.number(entry.number(metric)))"
                return ScatterPlot.Point(x: entry.cells[name] ?? "", y: failed ? nil : entry.number(metric),
                                         color: colors[entry.folderName] ?? ChartPalette.color(0),
                                         emphasized: entry.folderName == best?.folderName,
                                         tooltip: "\(entry.folderName) \u{00b7} \(values) \u{00b7} \(outcome)")
            }
            return ScatterPlot(hyperparameter: name, metric: metric, points: points)
        }
    }

    /// The section as HTML.
    public func html() -> String {
        let settings = sweep.settings
        var html = "<section class=\"sweep\"><h2>Sweep <span class=\"name\">\(HTMLText.escape(sweep.name))</span></h2>"
        html += "<p class=\"path\">\(HTMLText.escape(sweep.path))</p>"
        html += stats()
        html += "<h3>Leaderboard <span class=\"muted\">\(settings.maximize ? "highest" : "lowest") "
            + "\(HTMLText.escape(HTMLText.title(settings.metric))) first</span></h3>"
        html += ReportTables.leaderboard(sweep, colors: colors)
        let plots = scatterPlots()
        if !plots.isEmpty {
            html += "<h3>\(HTMLText.escape(HTMLText.quantityName(settings.metric))) by hyperparameter</h3><div class=\"charts\">"
            for plot in plots {
                html += "<figure class=\"card chart-card\"><figcaption><span class=\"chart-title\">"
                    + HTMLText.escape(HTMLText.title(plot.hyperparameter)) + "</span></figcaption>" + plot.svg()
                html += "<div class=\"legend\"><span class=\"key style\"><svg width=\"14\" height=\"14\" aria-hidden=\"true\">"
                    + "<circle cx=\"7\" cy=\"7\" r=\"5.5\" fill=\"#6b7280\"/></svg>trial</span>"
                if best != nil {
                    html += "<span class=\"key style\"><svg width=\"18\" height=\"18\" aria-hidden=\"true\"><circle cx=\"9\" cy=\"9\" "
                        + "r=\"7\" fill=\"#6b7280\" stroke=\"#111827\" stroke-width=\"2\"/></svg>best trial</span>"
                }
                if plot.frame.failureLane > 0 {
                    html += "<span class=\"key style\"><svg width=\"14\" height=\"14\" aria-hidden=\"true\"><circle cx=\"7\" cy=\"7\" "
                        + "r=\"5\" fill=\"none\" stroke=\"\(ChartPalette.failure)\" stroke-width=\"2\"/></svg>failed</span>"
                }
                html += "</div></figure>"
            }
            html += "</div>"
        }
        let colors = self.colors, bestName = best?.folderName
        let entries = sweep.trials.filter { $0.metrics != nil }.map { trial in
            CurveCharts.Entry(run: trial, color: colors[trial.name] ?? ChartPalette.color(0), emphasized: trial.name == bestName)
        }
        if !entries.isEmpty {
            html += "<h3>Training curves of the trials</h3>" + CurveCharts(entries: entries).html()
        }
        let notes = sweep.trials.compactMap(\.note)
        if !notes.isEmpty {
            html += "<ul class=\"notes\">" + notes.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>"
        }
        return html + "</section>"
    }

    /// The key figures: trials, finished, failed, the goal and the best trial.
    private func stats() -> String {
        let counts = sweep.counts, settings = sweep.settings
        var html = "<div class=\"stats\">"
        html += stat("trials", String(sweep.leaderboard.entries.count))
        html += stat("finished", String(counts.finished))
        html += stat("failed", String(counts.failed), warn: counts.failed > 0)
        html += stat("goal", "\(settings.maximize ? "maximize" : "minimize") \(HTMLText.title(settings.metric))")
        if let best {
            let values = settings.hyperparameters.map { "\(HTMLText.title($0)) \(HTMLText.value(best.cells[$0] ?? ""))" }
            html += stat("best \u{00b7} \(best.folderName)", HTMLText.number(best.number(settings.metric)),
                         detail: values.joined(separator: " \u{00b7} "))
        }
        return html + "</div>"
    }

    /// One figure box: a small label over a large value, and an optional line below.
    private func stat(_ label: String, _ value: String, detail: String? = nil, warn: Bool = false) -> String {
        "<div class=\"stat\(warn ? " warn" : "")\"><div class=\"label\">\(HTMLText.escape(label))</div>"
            + "<div class=\"value\">\(HTMLText.escape(value))</div>"
            + (detail.map { "<div class=\"detail\">\(HTMLText.escape($0))</div>" } ?? "") + "</div>"
    }
}
