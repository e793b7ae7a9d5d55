import DLCRuntime
import Foundation

/// The fixed parts of a chart's SVG: its size, the plot area inside the margins, gridlines,
/// axis lines, tick labels and axis titles.
///
/// Charts are 640x300 user units, drawn at any width by the page (`viewBox`). Positions along
/// the axes are given as fractions, 0 at the bottom-left of the plot area and 1 at its top-right,
/// so the frame knows nothing of data or scales. Styles come from the page's CSS classes
/// (`grid`, `axis`, `tick`, `axis-title`).
public struct ChartFrame: Sendable, Hashable {
    /// A tick: where it sits along its axis (0...1) and its text.
    public struct Tick: Sendable, Hashable {
        public var fraction: Double
        public var label: String

        public init(fraction: Double, label: String) {
            self.fraction = fraction
            self.label = label
        }
    }

    public var width = 640.0
    public var height = 300.0
    /// Room for tick labels and the axis titles around the plot area.
    public var marginLeft = 66.0, marginRight = 18.0, marginTop = 14.0, marginBottom = 46.0
    /// Pixels at the bottom of the plot area kept for failed trials (0 for none).
    public var failureLane = 0.0
    /// Pixels kept free inside each edge of the plot area, so markers at the ends of the data
    /// do not sit on the axes (0 for line charts, whose lines may touch them).
    public var inset = 0.0

    public init() {}

    /// The plot area's edges in pixels.
    public var plotLeft: Double { marginLeft }
    public var plotRight: Double { width - marginRight }
    public var plotTop: Double { marginTop }
    public var plotBottom: Double { height - marginBottom }

    /// The pixel column of the fraction `fraction` along the x axis.
    public func x(_ fraction: Double) -> Double {
        (plotLeft + inset) + fraction * (plotRight - plotLeft - 2 * inset)
    }

    /// The pixel row of the fraction `fraction` up the y axis, above the failure lane.
    public func y(_ fraction: Double) -> Double {
        let bottom = plotBottom - max(failureLane, inset)
        return bottom - fraction * (bottom - plotTop - inset)
    }

    /// The pixel point of `(x, y)` on `xScale` and `yScale`, or nil when either cannot be shown.
    public func point(_ point: ChartPoint, xScale: AxisScale, yScale: AxisScale) -> ChartPoint? {
        guard let fx = xScale.fraction(point.x), let fy = yScale.fraction(point.y) else { return nil }
        return ChartPoint(x: x(fx), y: y(fy))
    }

    /// The ticks of `scale` as fractions and labels.
    public static func ticks(_ scale: AxisScale) -> [Tick] {
        scale.ticks.compactMap { value in
            scale.fraction(value).map { Tick(fraction: $0, label: scale.label(value)) }
        }
    }

    /// `<svg ...>` with the chart's size and an accessible name.
    public func open(label: String) -> String {
        let w = SVGPath.number(width), h = SVGPath.number(height)
        return "<svg class=\"chart\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(label))\" xmlns=\"http://www.w3.org/2000/svg\">"
    }

    /// Vertical and horizontal gridlines at the ticks, their labels, and the two axis lines.
    public func grid(x xTicks: [Tick], y yTicks: [Tick]) -> String {
        var svg = "<g class=\"grid\">"
        for tick in xTicks {
            let px = SVGPath.number(x(tick.fraction))
            svg += "<line x1=\"\(px)\" y1=\"\(SVGPath.number(plotTop))\" x2=\"\(px)\" y2=\"\(SVGPath.number(plotBottom))\"/>"
        }
        for tick in yTicks {
            let py = SVGPath.number(y(tick.fraction))
            svg += "<line x1=\"\(SVGPath.number(plotLeft))\" y1=\"\(py)\" x2=\"\(SVGPath.number(plotRight))\" y2=\"\(py)\"/>"
        }
        svg += "</g><g class=\"tick\">"
        for tick in thinned(xTicks, room: plotRight - plotLeft, characterWidth: 6.6) {
            svg += "<text x=\"\(SVGPath.number(x(tick.fraction)))\" y=\"\(SVGPath.number(plotBottom + 17))\" "
                + "text-anchor=\"middle\">\(HTMLText.escape(tick.label))</text>"
        }
        for tick in yTicks {
            svg += "<text x=\"\(SVGPath.number(plotLeft - 8))\" y=\"\(SVGPath.number(y(tick.fraction) + 4))\" "
                + "text-anchor=\"end\">\(HTMLText.escape(tick.label))</text>"
        }
        svg += "</g>"
        let left = SVGPath.number(plotLeft), bottom = SVGPath.number(plotBottom)
        svg += "<path class=\"axis\" d=\"M\(left),\(SVGPath.number(plotTop))L\(left),\(bottom)L\(SVGPath.number(plotRight)),\(bottom)\"/>"
        return svg
    }

    /// The axis titles: `xTitle` centred below the x tick labels, `yTitle` turned up the left side.
    public func titles(x xTitle: String, y yTitle: String) -> String {
        let cx = SVGPath.number((plotLeft + plotRight) / 2), cy = SVGPath.number((plotTop + plotBottom) / 2)
        return "<text class=\"axis-title\" x=\"\(cx)\" y=\"\(SVGPath.number(height - 8))\" text-anchor=\"middle\">"
            + "\(HTMLText.escape(xTitle))</text>"
            + "<text class=\"axis-title\" transform=\"translate(15,\(cy)) rotate(-90)\" text-anchor=\"middle\">"
            + "\(HTMLText.escape(yTitle))</text>"
    }

    /// A red dashed line across the top of the failure lane and its `failed` label, when there is a lane.
    public func failureLaneMarks() -> String {
        guard failureLane > 0 else { return "" }
        let top = SVGPath.number(failureLineY)
        return "<line class=\"failure-line\" x1=\"\(SVGPath.number(plotLeft))\" y1=\"\(top)\" "
            + "x2=\"\(SVGPath.number(plotRight))\" y2=\"\(top)\"/>"
            + "<text class=\"failure-label\" x=\"\(SVGPath.number(plotLeft - 8))\" "
            + "y=\"\(SVGPath.number(failureY + 4))\" text-anchor=\"end\">failed</text>"
    }

    /// The pixel row of the line between the data and the failure lane: a third of the lane
    /// below the lowest data row, so the lowest tick label and `failed` keep apart.
    public var failureLineY: Double { plotBottom - failureLane * 2 / 3 }

    /// The pixel row of the failed markers: the middle of the lane below its line.
    public var failureY: Double { plotBottom - failureLane / 3 }

    /// `ticks`, every k-th one, so that their labels (about `characterWidth` per character) do not overlap.
    func thinned(_ ticks: [Tick], room: Double, characterWidth: Double) -> [Tick] {
        guard ticks.count > 1 else { return ticks }
        let widest = Double(ticks.map(\.label.count).max() ?? 1) * characterWidth + 10
        let spacing = room / Double(ticks.count)
        let every = max(1, Int((widest / max(spacing, 1)).rounded(.up)))
        return ticks.enumerated().filter { $0.offset % every == 0 }.map(\.element)
    }
}
