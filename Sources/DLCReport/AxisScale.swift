import DLCRuntime
import Foundation

/// One axis of a chart: the data interval it shows, linear or logarithmic, and its tick values.
///
/// Linear ticks step by 1, 2 or 5 times a power of ten, and the interval is widened to the ticks
/// just outside the data (0.47...1.0 shows 0.4 to 1.0 in steps of 0.1). Logarithmic ticks sit at
/// the powers of ten, with 2x and 5x between them when the data spans three decades or fewer.
public struct AxisScale: Sendable, Hashable {
    /// How data maps to the axis.
    public enum Kind: String, Sendable, Hashable {
        case linear, logarithmic
    }

    public let kind: Kind
    /// The smallest value on the axis (positive for a logarithmic axis).
    public let lower: Double
    /// The largest value on the axis, above `lower`.
    public let upper: Double
    /// The tick values, ascending, each inside `lower...upper`.
    public let ticks: [Double]
    /// The distance between linear ticks; nil on a logarithmic axis.
    public let step: Double?

    /// A linear axis over `values` (non-finite ones ignored) with about `tickCount` ticks; with
    /// `integer`, ticks are whole numbers (epochs). No finite values give the interval 0...1.
    public static func linear(_ values: [Double], tickCount: Int = 5, integer: Bool = false) -> AxisScale {
        let finite = values.filter(\.isFinite)
        guard var low = finite.min(), var high = finite.max() else {
            return linear(lower: 0, upper: 1, tickCount: tickCount, integer: integer)
        }
        if low == high {
            let pad = integer ? 1 : (low == 0 ? 1 : abs(low) * 0.1)
            low -= pad
            high += pad
        }
        return linear(lower: low, upper: high, tickCount: tickCount, integer: integer)
    }

    /// A linear axis from `lower` to `upper` (`lower < upper`), widened to nice ticks.
    static func linear(lower: Double, upper: Double, tickCount: Int, integer: Bool) -> AxisScale {
        var step = niceStep((upper - lower) / Double(max(tickCount - 1, 1)))
        if integer { step = max(step, 1) }
        let first = (lower / step).rounded(.down), last = (upper / step).rounded(.up)
        guard (upper - lower).isFinite, last - first <= 1000 else {
            // Values near the ends of the doubles: no nice step fits, so show just the extremes.
            return AxisScale(kind: .linear, lower: lower, upper: upper, ticks: [lower, upper], step: nil)
        }
        let ticks = stride(from: first, through: last, by: 1).map { cleaned($0 * step) }
        return AxisScale(kind: .linear, lower: cleaned(first * step), upper: cleaned(last * step), ticks: ticks, step: step)
    }

    /// A logarithmic axis over the positive finite `values`, from the largest 1, 2 or 5 times a
    /// power of ten at or below the smallest value to the smallest one at or above the largest.
    public static func logarithmic(_ values: [Double]) -> AxisScale {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        guard var low = positive.min(), var high = positive.max() else {
            return AxisScale(kind: .logarithmic, lower: 1, upper: 10, ticks: [1, 10], step: nil)
        }
        if low == high { low /= 2; high *= 2 }
        let lower = niceBound(low, up: false), upper = niceBound(high, up: true)
        let first = Int(log10(lower).rounded(.down)), last = Int(log10(upper).rounded(.up))
        let decades = log10(upper) - log10(lower)
        let every = max(1, Int((decades / 6).rounded(.up)))
        var ticks: [Double] = []
        for exponent in stride(from: first, through: last, by: 1) {
            let power = cleaned(pow(10, Double(exponent)))
            let candidates = decades <= 3 ? [power, cleaned(2 * power), cleaned(5 * power)]
                : ((exponent - first) % every == 0 ? [power] : [])
            ticks += candidates.filter { $0 >= lower * (1 - 1e-9) && $0 <= upper * (1 + 1e-9) }
        }
        for bound in [lower, upper] where !ticks.contains(bound) {
            if ticks.allSatisfy({ abs(log10($0) - log10(bound)) > decades / 8 }) { ticks.append(bound) }
        }
        return AxisScale(kind: .logarithmic, lower: lower, upper: upper, ticks: ticks.sorted(), step: nil)
    }

    /// Whether a logarithmic axis writes its ticks as powers of ten (`10⁻⁶`, `2×10⁸`) because
    /// some would be long as decimals.
    var usesPowerLabels: Bool {
        kind == .logarithmic && (lower < 1e-4 || upper >= 1e5)
    }

    /// `value` as a power of ten, with its factor when it is not 1: `10⁻⁶`, `1`, `10`, `2×10⁸`.
    public static func powerForm(_ value: Double) -> String {
        guard value > 0, value.isFinite else { return format(value, step: value) }
        let exponent = Int(log10(value).rounded(.down))
        let factor = (value / pow(10, Double(exponent)) * 1000).rounded() / 1000
        if exponent == 0 { return format(value, step: value) }
        let superscripts: [Character: Character] = [
            "0": "\u{2070}", "1": "\u{00B9}", "2": "\u{00B2}", "3": "\u{00B3}", "4": "\u{2074}",
            "5": "\u{2075}", "6": "\u{2076}", "7": "\u{2077}", "8": "\u{2078}", "9": "\u{2079}", "-": "\u{207B}",
        ]
        let power = "10" + String(String(exponent).compactMap { superscripts[$0] })
        if factor == 1 { return power }
        return trimmedFactor(factor) + "\u{00D7}" + power
    }

    /// `2.0` -> `2`, `2.5` -> `2.5`.
    private static func trimmedFactor(_ factor: Double) -> String {
        factor == factor.rounded() ? String(Int(factor)) : String(format: "%g", factor)
    }

    /// The nearest 1, 2 or 5 times a power of ten at or above (`up`) or at or below `value` (positive).
    static func niceBound(_ value: Double, up: Bool) -> Double {
        let power = pow(10, log10(value).rounded(.down))
        let fraction = value / power
        let steps: [Double] = [1, 2, 5, 10]
        let chosen = up ? (steps.first { $0 >= fraction * (1 - 1e-9) } ?? 10) : (steps.last { $0 <= fraction * (1 + 1e-9) } ?? 1)
        return cleaned(chosen * power)
    }

    /// Whether `values` call for a logarithmic axis: all finite ones positive, spanning more than 20x.
    public static func prefersLogarithmic(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low > 20
    }

    /// A linear or logarithmic axis over `values`, as `prefersLogarithmic` chooses.
    public static func automatic(_ values: [Double], tickCount: Int = 5) -> AxisScale {
        prefersLogarithmic(values) ? logarithmic(values) : linear(values, tickCount: tickCount)
    }

    /// Where `value` falls along the axis, 0 at `lower` and 1 at `upper`; nil when it cannot be
    /// shown (not finite, or not positive on a logarithmic axis).
    public func fraction(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch kind {
        case .linear:
            return (value - lower) / (upper - lower)
        case .logarithmic:
            guard value > 0 else { return nil }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// The text of a tick: as many decimals as the step needs (`0.2`, `15`), or the shortest
    /// exponent form for very small or large values (`1e-5`, `2.5e6`); on a logarithmic axis
    /// reaching below 10⁻⁴ or above 10⁵, powers of ten (`10⁻⁶`, `2×10⁸`).
    public func label(_ value: Double) -> String {
        switch kind {
        case .linear:
            return Self.format(value, step: step ?? 1)
        case .logarithmic:
            return usesPowerLabels ? Self.powerForm(value) : Self.format(value, step: value)
        }
    }

    /// `value` written with the decimals that a tick `step` apart needs.
    public static func format(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = max(abs(value), abs(step))
        if magnitude >= 1e6 || abs(step) < 1e-4 {
            return exponentForm(value)
        }
        let decimals = max(0, Int(-log10(abs(step)).rounded(.up) + 1e-9))
        let digits = step.isFinite && step > 0 ? decimals + (isPowerOfTenMultiple(step, decimals: decimals) ? 0 : 1) : 2
        return String(format: "%.\(min(digits, 6))f", value)
    }

    /// `2.5e-05` -> `2.5e-5`: C's `%g` without a padded exponent.
    static func exponentForm(_ value: Double) -> String {
        let text = String(format: "%.3g", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        var exponent = String(text[text.index(after: e)...])
        let sign = exponent.hasPrefix("-") ? "-" : ""
        exponent = String(exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" })
        return "\(mantissa)e\(sign)\(exponent.isEmpty ? "0" : exponent)"
    }

    /// Whether `step` is a whole number of units of its last decimal (`0.5` with one decimal).
    private static func isPowerOfTenMultiple(_ step: Double, decimals: Int) -> Bool {
        let scaled = step * pow(10, Double(decimals))
        return abs(scaled - scaled.rounded()) < 1e-6
    }

    /// The one of 1, 2, 5 and 10 times a power of ten nearest to `rough` (positive; 1 otherwise):
    /// below 1.5 is 1, below 3 is 2, below 7 is 5, times the power of ten.
    public static func niceStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let power = pow(10, log10(rough).rounded(.down))
        let fraction = rough / power
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return cleaned(nice * power)
    }

    /// `value` with float noise removed (`0.30000000000000004` -> `0.3`) and `-0` made `0`.
    static func cleaned(_ value: Double) -> Double {
        guard value != 0, value.isFinite else { return value == 0 ? 0 : value }
        let digits = 12 - Int(log10(abs(value)).rounded(.down))
        let scale = pow(10, Double(max(min(digits, 300), -300)))
        let rounded = (value * scale).rounded() / scale
        return rounded.isFinite && rounded != 0 ? rounded : value
    }
}
