import DLCRuntime
import Foundation

/// SVG path data for chart lines: points in pixels to `M x,y L x,y ...`, split at gaps.
///
/// Coordinates are written with at most one decimal (`12.5`, `40`), which is a tenth of a pixel
/// at the chart's own size and keeps pages of many curves small.
public enum SVGPath {
    /// The runs of consecutive present points of `points`; a nil (an empty, NaN or infinite
    /// value) ends a run. Runs of one point are kept: charts draw them as dots.
    public static func segments(_ points: [ChartPoint?]) -> [[ChartPoint]] {
        var segments: [[ChartPoint]] = []
        var current: [ChartPoint] = []
        for point in points {
            if let point, point.x.isFinite, point.y.isFinite {
                current.append(point)
            } else if !current.isEmpty {
                segments.append(current)
                current = []
            }
        }
        if !current.isEmpty { segments.append(current) }
        return segments
    }

    /// The path data of one polyline through `points` (pixels): `M10,20L30,40`. Empty for no points.
    public static func polyline(_ points: [ChartPoint]) -> String {
        var data = ""
        for (index, point) in points.enumerated() {
            data += (index == 0 ? "M" : "L") + number(point.x) + "," + number(point.y)
        }
        return data
    }

    /// The path data of every segment of `points` with two or more points, one `M...L...` each,
    /// and the lone points (segments of one), which a line cannot show.
    public static func lines(_ points: [ChartPoint?]) -> (data: String, dots: [ChartPoint]) {
        var data = ""
        var dots: [ChartPoint] = []
        for segment in segments(points) {
            if segment.count == 1 {
                dots.append(segment[0])
            } else {
                data += polyline(segment)
            }
        }
        return (data, dots)
    }

    /// `value` with at most one decimal and no trailing `.0`: `12.5`, `40`, `-3.2`.
    public static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(format: "%.1f", rounded)
    }
}
