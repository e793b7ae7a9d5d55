import DLCRuntime
import Foundation

/// Text for the report page: HTML escaping and the number formats of its tables and tooltips.
public enum HTMLText {
    /// `text` safe inside HTML elements and quoted attributes: `&`, `<`, `>`, `"` and `'`
    /// become character references; control characters other than tab and newline are dropped.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A metric for a table or tooltip: four significant digits without trailing zeros
    /// (`0.9333`, `12.35`, `1.2e-5`), an em dash for nil and `NaN`/`inf` as such.
    public static func number(_ value: Double?) -> String {
        guard let value else { return "\u{2014}" }
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 { return AxisScale.exponentForm(value) }
        if magnitude >= 1000 { return String(format: "%.0f", value) }
        let decimals = max(0, 3 - Int(log10(magnitude).rounded(.down)))
        return trimmed(String(format: "%.\(decimals)f", value))
    }

    /// A hyperparameter value as the leaderboard wrote it, shortened when numeric (`0.0030000` -> `0.003`).
    public static func value(_ text: String) -> String {
        if let number = Double(text), number.isFinite, text.count > 8 { return Self.number(number) }
        return text
    }

    /// Wall-clock seconds: `0.17 s`, `12.5 s`, `3 min 05 s`, `1 h 02 min`; an em dash when not finite.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "\u{2014}" }
        if seconds < 10 { return String(format: "%.2f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }

    /// A count with thousands separators: `101770` -> `101,770`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A quantity or column name for people: `val_accuracy` -> `val accuracy`, `learning_rate` -> `learning rate`.
    public static func title(_ name: String) -> String {
        name.replacingOccurrences(of: "_", with: " ")
    }

    /// A chart's heading: `loss` -> `Loss`, `mae` -> `MAE`, `learning_rate` -> `Learning rate`.
    public static func quantityName(_ name: String) -> String {
        if ["mae", "mse", "rmse"].contains(name) { return name.uppercased() }
        let spaced = title(name)
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// The CSS class of a run status badge: `completed`, `stopped-early`, `failed`, ...
    public static func statusClass(_ status: String) -> String {
        let known = ["completed", "stopped_early", "interrupted", "failed"]
        return "status-" + (known.contains(status) ? status.replacingOccurrences(of: "_", with: "-") : "other")
    }

    /// A status for people: `stopped_early` -> `stopped early`.
    public static func status(_ status: String) -> String {
        status.isEmpty ? "unknown" : status.replacingOccurrences(of: "_", with: " ")
    }

    /// `0.93300` -> `0.933`, `2.000` -> `2`.
    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.hasSuffix("0") { result = result.dropLast() }
        if result.hasSuffix(".") { result = result.dropLast() }
        return String(result)
    }
}
