import DLCRuntime
import Foundation

/// A sweep's metric against one hyperparameter as an SVG scatter plot, one marker per trial.
///
/// Numeric values go on a linear x axis, or a logarithmic one when they are all positive and
/// span more than 20x (learning rates); values that are not all numbers (`relu`, `tanh`) get one
/// evenly spaced column each. Failed trials, and those without a metric value, sit in a lane at
/// the bottom as hollow red markers. Markers that would cover each other are spread sideways.
public struct ScatterPlot: Sendable, Hashable {
    /// One trial.
    public struct Point: Sendable, Hashable {
        /// The hyperparameter's value as the leaderboard wrote it.
        public var x: String
        /// The metric, or nil for a failed trial.
        public var y: Double?
        public var color: String
        /// Drawn larger with a ring (the best trial).
        public var emphasized: Bool
        public var tooltip: String

        public init(x: String, y: Double?, color: String, emphasized: Bool = false, tooltip: String) {
            self.x = x
            self.y = y
            self.color = color
            self.emphasized = emphasized
            self.tooltip = tooltip
        }
    }

    public var hyperparameter: String
    public var metric: String
    public var points: [Point]
    public var frame = ChartFrame()

    public init(hyperparameter: String, metric: String, points: [Point]) {
        self.hyperparameter = hyperparameter
        self.metric = metric
        self.points = points
        frame.inset = 18
        if points.contains(where: { $0.y.map { !$0.isFinite } ?? true }) { frame.failureLane = 36 }
    }

    /// The x values as numbers, or nil when any present one is not a finite number.
    public var numericValues: [Double]? {
        var values: [Double] = []
        for point in points where !point.x.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let value = CSVTable.number(point.x), value.isFinite else { return nil }
            values.append(value)
        }
        return values
    }

    /// The x axis for numeric values: logarithmic when positive and spanning more than 20x,
    /// with whole-number ticks when every value is whole (layers, units).
    public var xScale: AxisScale? {
        guard let values = numericValues else { return nil }
        if AxisScale.prefersLogarithmic(values) { return AxisScale.logarithmic(values) }
        return AxisScale.linear(values, tickCount: 7, integer: values.allSatisfy { $0 == $0.rounded() })
    }

    /// The distinct x values in first-seen order, for a categorical axis.
    public var categories: [String] {
        var seen: Set<String> = []
        return points.map(\.x).filter { seen.insert($0).inserted }
    }

    /// The metric axis over the finite values.
    public var yScale: AxisScale {
        AxisScale.linear(points.compactMap(\.y).filter(\.isFinite), tickCount: 6)
    }

    /// Where `point` sits along the x axis (0...1), or nil when it cannot be shown.
    func xFraction(_ point: Point) -> Double? {
        if let scale = xScale {
            return CSVTable.number(point.x).flatMap { scale.fraction($0) }
        }
        let all = categories
        guard let index = all.firstIndex(of: point.x) else { return nil }
        return (Double(index) + 0.5) / Double(all.count)
    }

    /// The chart as one `<svg>` element.
    public func svg() -> String {
        let yScale = self.yScale
        let xTicks: [ChartFrame.Tick]
        if let scale = xScale {
            xTicks = ChartFrame.ticks(scale)
        } else {
            let all = categories
            xTicks = all.enumerated().map { index, name in
                ChartFrame.Tick(fraction: (Double(index) + 0.5) / Double(all.count), label: name.count > 14 ? String(name.prefix(13)) + "\u{2026}" : name)
            }
        }
        var svg = frame.open(label: "\(metric) by \(hyperparameter)")
        svg += frame.grid(x: xTicks, y: ChartFrame.ticks(yScale))
        svg += frame.failureLaneMarks()
        let placed = spread(points.compactMap { point -> (Point, ChartPoint)? in
            guard let fx = xFraction(point) else { return nil }
            guard let y = point.y, y.isFinite, let fy = yScale.fraction(y) else {
                return (point, ChartPoint(x: frame.x(fx), y: frame.failureY))
            }
            return (point, ChartPoint(x: frame.x(fx), y: frame.y(fy)))
        })
        for (point, at) in placed.sorted(by: { !$0.0.emphasized && $1.0.emphasized }) {
            svg += marker(point, at: at)
        }
        let logNote = xScale?.kind == .logarithmic ? " (log scale)" : ""
        svg += frame.titles(x: HTMLText.title(hyperparameter) + logNote, y: HTMLText.title(metric))
        return svg + "</svg>"
    }

    /// One marker: filled in the trial's colour, hollow red when failed, ringed when emphasized.
    private func marker(_ point: Point, at: ChartPoint) -> String {
        let title = "<title>\(HTMLText.escape(point.tooltip))</title>"
        let cx = SVGPath.number(at.x), cy = SVGPath.number(at.y)
        guard let y = point.y, y.isFinite else {
            return "<circle class=\"failed\" cx=\"\(cx)\" cy=\"\(cy)\" r=\"5\" fill=\"none\" "
                + "stroke=\"\(ChartPalette.failure)\" stroke-width=\"2\">\(title)</circle>"
        }
        if point.emphasized {
            return "<circle class=\"trial best\" cx=\"\(cx)\" cy=\"\(cy)\" r=\"7.5\" fill=\"\(point.color)\">\(title)</circle>"
        }
        return "<circle class=\"trial\" cx=\"\(cx)\" cy=\"\(cy)\" r=\"5.5\" fill=\"\(point.color)\">\(title)</circle>"
    }

    /// `placed` with markers at (nearly) the same pixel spread sideways, up to 8 pixels apart, so
    /// each shows; a group near an edge of the plot area moves inwards to stay inside it.
    func spread(_ placed: [(Point, ChartPoint)]) -> [(Point, ChartPoint)] {
        var groups: [String: [Int]] = [:]
        for (index, item) in placed.enumerated() {
            let key = "\(Int((item.1.x / 3).rounded())),\(Int((item.1.y / 3).rounded()))"
            groups[key, default: []].append(index)
        }
        var result = placed
        let left = frame.plotLeft + 8, right = frame.plotRight - 8
        for members in groups.values where members.count > 1 {
            let gap = min(8.0, 80.0 / Double(members.count))
            let offsets = members.indices.map { (Double($0) - Double(members.count - 1) / 2) * gap }
            let centre = result[members[0]].1.x
            let shift = max(0, left - (centre + (offsets.first ?? 0))) - max(0, (centre + (offsets.last ?? 0)) - right)
            for (index, offset) in zip(members, offsets) {
                result[index].1.x = centre + offset + shift
            }
        }
        return result
    }
}
