import DLCRuntime
import Foundation

/// One quantity over epochs as an SVG line chart: a line per run and split, the best epochs ringed.
///
/// Train lines are solid and validation lines dashed, each in its run's colour; a run of one
/// epoch (or a value between two gaps) shows as a dot. The x axis holds whole epochs; the y
/// axis is linear unless the values are all positive and span more than `logarithmicRatio`.
public struct LineChart: Sendable, Hashable {
    /// One line: a run's train or validation values.
    public struct Series: Sendable, Hashable {
        /// The tooltip of the line: `iris1 · val loss`.
        public var name: String
        public var color: String
        /// Dashed for validation.
        public var dashed: Bool
        /// Drawn thicker and on top (the best trial of a sweep).
        public var emphasized: Bool
        /// One point per epoch; nil leaves a gap.
        public var points: [ChartPoint?]

        public init(name: String, color: String, dashed: Bool = false, emphasized: Bool = false, points: [ChartPoint?]) {
            self.name = name
            self.color = color
            self.dashed = dashed
            self.emphasized = emphasized
            self.points = points
        }
    }

    /// A marked point, such as a run's best epoch.
    public struct Marker: Sendable, Hashable {
        public var point: ChartPoint
        public var color: String
        public var tooltip: String

        public init(point: ChartPoint, color: String, tooltip: String) {
            self.point = point
            self.color = color
            self.tooltip = tooltip
        }
    }

    /// The accessible name of the chart: `loss`.
    public var title: String
    public var yTitle: String
    public var xTitle = "epoch"
    public var series: [Series]
    public var markers: [Marker]
    /// The span (largest over smallest value) above which a positive y axis turns logarithmic.
    public var logarithmicRatio: Double
    public var frame = ChartFrame()

    public init(title: String, yTitle: String, series: [Series], markers: [Marker] = [], logarithmicRatio: Double = 1000) {
        self.title = title
        self.yTitle = yTitle
        self.series = series
        self.markers = markers
        self.logarithmicRatio = logarithmicRatio
    }

    /// Every finite point of every series.
    private var allPoints: [ChartPoint] {
        series.flatMap { $0.points.compactMap { $0 } }.filter { $0.x.isFinite && $0.y.isFinite }
    }

    /// Whether the chart has anything to draw.
    public var isEmpty: Bool { allPoints.isEmpty }

    /// The epoch axis: whole-number ticks over every run's epochs.
    public var xScale: AxisScale {
        AxisScale.linear(allPoints.map(\.x), tickCount: 8, integer: true)
    }

    /// The value axis, logarithmic when the values are positive and span more than `logarithmicRatio`.
    public var yScale: AxisScale {
        let values = allPoints.map(\.y)
        guard let low = values.min(), let high = values.max(), low > 0, high / low > logarithmicRatio else {
            return AxisScale.linear(values, tickCount: 6)
        }
        return AxisScale.logarithmic(values)
    }

    /// The chart as one `<svg>` element.
    public func svg() -> String {
        let xScale = self.xScale, yScale = self.yScale
        var svg = frame.open(label: title)
        svg += frame.grid(x: ChartFrame.ticks(xScale), y: ChartFrame.ticks(yScale))
        if isEmpty {
            svg += "<text class=\"empty\" x=\"\(SVGPath.number((frame.plotLeft + frame.plotRight) / 2))\" "
                + "y=\"\(SVGPath.number((frame.plotTop + frame.plotBottom) / 2))\" text-anchor=\"middle\">no finite values</text>"
        }
        if markers.count <= 5 {
            for marker in markers {
                guard let at = frame.point(marker.point, xScale: xScale, yScale: yScale) else { continue }
                svg += "<line class=\"guide\" x1=\"\(SVGPath.number(at.x))\" y1=\"\(SVGPath.number(at.y))\" "
                    + "x2=\"\(SVGPath.number(at.x))\" y2=\"\(SVGPath.number(frame.plotBottom))\" stroke=\"\(marker.color)\"/>"
            }
        }
        let ordered = series.filter { !$0.emphasized } + series.filter(\.emphasized)
        for line in ordered {
            svg += draw(line, xScale: xScale, yScale: yScale)
        }
        for marker in markers {
            guard let at = frame.point(marker.point, xScale: xScale, yScale: yScale) else { continue }
            svg += "<circle class=\"best-epoch\" cx=\"\(SVGPath.number(at.x))\" cy=\"\(SVGPath.number(at.y))\" r=\"6.5\" "
                + "stroke=\"\(marker.color)\"><title>\(HTMLText.escape(marker.tooltip))</title></circle>"
        }
        svg += frame.titles(x: xTitle, y: yTitle + (yScale.kind == .logarithmic ? " (log scale)" : ""))
        return svg + "</svg>"
    }

    /// One series: its path (split at gaps) and a dot for each lone point.
    private func draw(_ line: Series, xScale: AxisScale, yScale: AxisScale) -> String {
        let pixels = line.points.map { point in point.flatMap { frame.point($0, xScale: xScale, yScale: yScale) } }
        let (data, dots) = SVGPath.lines(pixels)
        let title = "<title>\(HTMLText.escape(line.name))</title>"
        var svg = ""
        let width = line.emphasized ? "2.8" : "1.8"
        if !data.isEmpty {
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            svg += "<path class=\"series\" d=\"\(data)\" stroke=\"\(line.color)\" stroke-width=\"\(width)\"\(dash)>\(title)</path>"
        }
        for dot in dots {
            let fill = line.dashed ? "#fff" : line.color
            svg += "<circle class=\"dot\" cx=\"\(SVGPath.number(dot.x))\" cy=\"\(SVGPath.number(dot.y))\" r=\"3.5\" "
                + "fill=\"\(fill)\" stroke=\"\(line.color)\" stroke-width=\"\(width)\">\(title)</circle>"
        }
        return svg
    }
}
