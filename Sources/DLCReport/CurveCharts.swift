import DLCRuntime
import Foundation

/// The training curves of several runs, overlaid: one `LineChart` per quantity (loss, each
/// metric, learning rate), each in a card with its legend.
///
/// Each run keeps one colour in every chart; its train line is solid and its validation line
/// dashed. Its best epoch (from `summary.json`) is marked on the validation line, or on the train
/// line when there is no validation, but not on lines without a split (the learning rate). With
/// more runs than `sharedLegendLimit` the run names are listed once above the charts instead of
/// under each.
public struct CurveCharts: Sendable, Hashable {
    /// One run to draw.
    public struct Entry: Sendable, Hashable {
        public var run: RunFolder
        public var color: String
        /// Drawn thicker and on top (a sweep's best trial).
        public var emphasized: Bool

        public init(run: RunFolder, color: String, emphasized: Bool = false) {
            self.run = run
            self.color = color
            self.emphasized = emphasized
        }
    }

    public var entries: [Entry]
    public var sharedLegendLimit = 10

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The quantities over every run's columns, in chart order.
    public var quantities: [MetricsTable.Quantity] {
        var columns: [String] = []
        for entry in entries {
            for column in entry.run.metrics?.columns ?? [] where !columns.contains(column) { columns.append(column) }
        }
        return MetricsTable.quantities(of: columns)
    }

    /// The chart of `quantity` and the entries that have a line in it.
    public func chart(_ quantity: MetricsTable.Quantity) -> (chart: LineChart, shown: [Entry]) {
        var series: [LineChart.Series] = []
        var markers: [LineChart.Marker] = []
        var shown: [Entry] = []
        for entry in entries {
            guard let metrics = entry.run.metrics else { continue }
            let columns = quantity.columns.filter { metrics.columns.contains($0.name) }
            guard !columns.isEmpty else { continue }
            shown.append(entry)
            for column in columns {
                series.append(LineChart.Series(name: "\(entry.run.name) \u{00b7} \(HTMLText.title(column.name))", color: entry.color,
                                               dashed: column.role == .validation, emphasized: entry.emphasized,
                                               points: metrics.series(of: column.name)))
            }
            if columns.contains(where: { $0.role != .value }), let marker = bestMarker(entry, columns: columns, metrics: metrics) {
                markers.append(marker)
            }
        }
        let ratio = quantity.name == "learning_rate" ? 20.0 : 1000.0
        let name = HTMLText.quantityName(quantity.name)
        return (LineChart(title: name, yTitle: HTMLText.title(quantity.name), series: series, markers: markers,
                          logarithmicRatio: ratio), shown)
    }

    /// The best-epoch marker of `entry`: on its validation column, else the first it has a value in.
    private func bestMarker(_ entry: Entry, columns: [MetricsTable.Column], metrics: MetricsTable) -> LineChart.Marker? {
        guard let epoch = entry.run.bestEpoch else { return nil }
        let preferred = columns.filter { $0.role == .validation } + columns.filter { $0.role != .validation }
        for column in preferred {
            guard let value = metrics.value(of: column.name, atEpoch: epoch) else { continue }
            let tooltip = "\(entry.run.name) \u{00b7} best epoch \(Int(epoch)) \u{00b7} \(HTMLText.title(column.name)) \(HTMLText.number(value))"
            return LineChart.Marker(point: ChartPoint(x: epoch, y: value), color: entry.color, tooltip: tooltip)
        }
        return nil
    }

    /// The cards of every chart in a responsive grid, with the run legend shared above them
    /// when there are many runs. Empty when no run has metrics.
    public func html() -> String {
        let quantities = self.quantities
        guard !quantities.isEmpty else { return "" }
        let shared = entries.count > sharedLegendLimit
        var html = ""
        if shared {
            html += "<div class=\"legend shared\">" + entries.map(runKey).joined() + "</div>"
        }
        html += "<div class=\"charts\">"
        for quantity in quantities {
            let (chart, shown) = chart(quantity)
            let hasValidation = quantity.columns.contains { $0.role == .validation }
            let hasTrain = quantity.columns.contains { $0.role == .train }
            html += "<figure class=\"card chart-card\"><figcaption><span class=\"chart-title\">"
                + HTMLText.escape(chart.title) + "</span></figcaption>" + chart.svg()
            html += "<div class=\"legend\">"
            if !shared { html += shown.map(runKey).joined() }
            if hasTrain && hasValidation {
                html += "<span class=\"key style\">" + Self.swatch(color: "#6b7280", dashed: false) + "train</span>"
                html += "<span class=\"key style\">" + Self.swatch(color: "#6b7280", dashed: true) + "validation</span>"
            }
            if !chart.markers.isEmpty {
                html += "<span class=\"key style\"><svg width=\"16\" height=\"16\" aria-hidden=\"true\"><circle cx=\"8\" cy=\"8\" "
                    + "r=\"5.5\" fill=\"none\" stroke=\"#6b7280\" stroke-width=\"2\"/></svg>best epoch</span>"
            }
            html += "</div></figure>"
        }
        return html + "</div>"
    }

    /// A legend entry naming a run, with a line in its colour.
    private func runKey(_ entry: Entry) -> String {
        "<span class=\"key\(entry.emphasized ? " emphasized" : "")\">" + Self.swatch(color: entry.color, dashed: false)
            + HTMLText.escape(entry.run.name) + "</span>"
    }

    /// A short line sample for a legend: solid or dashed, in `color`.
    static func swatch(color: String, dashed: Bool) -> String {
        "<svg width=\"24\" height=\"10\" aria-hidden=\"true\"><line x1=\"1\" y1=\"5\" x2=\"23\" y2=\"5\" stroke=\"\(color)\" "
            + "stroke-width=\"2.5\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/></svg>"
    }
}
