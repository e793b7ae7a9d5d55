import DLCCheck
import DLCData

/// How a CSV spec's columns become the model's input, as `dlc check` prints it under the layers.
struct FeatureTable {
    let encoding: FeatureEncoding

    func render() -> String {
        var rows = [["column", "encoding", "width", "fitted on the training split"]]
        for column in encoding.columns {
            switch column.kind {
            case .number(let fill, let indicator):
                let filled = fill.map { "missing cells -> \(TableNumber.short($0))" } ?? ""
                rows.append([column.name, indicator ? "number + indicator" : "number", indicator ? "2" : "1", filled])
            case .oneHot(let values, let hasMissing):
                rows.append([column.name, "one-hot", "\(column.denseWidth)", Self.values(values, hasMissing: hasMissing)])
            case .embedding(let values, let hasMissing, let dimension):
                let rowsCount = 1 + values.count + (hasMissing ? 1 : 0)
                rows.append([column.name, "embedding", "\(dimension)",
                             "\(Self.values(values, hasMissing: hasMissing)) + unknown: `\(column.name).embedding` [\(rowsCount), \(dimension)]"])
            case .text(let vocabulary, let tokenizer, let length):
                let shown = vocabulary.prefix(8).map { "`\($0)`" }.joined(separator: ", ") + (vocabulary.count > 8 ? ", ..." : "")
                rows.append([column.name, "text (\(tokenizer.tokens.rawValue))", "\(length)",
                             "\(TextTokenizer.firstTokenID + vocabulary.count) ids: padding, unknown, \(vocabulary.count) tokens (\(shown))"])
            }
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = "  features: \(encoding.widthBreakdown)\n"
        for (index, row) in rows.enumerated() {
            var line = "    "
            for column in 0..<4 {
                let cell = row[column]
                if column == 2 {
                    line += String(repeating: " ", count: widths[column] - cell.count) + cell + "  "
                } else {
                    line += column == 3 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count) + "  "
                }
            }
            out += line.trimmingTrailingSpaces() + "\n"
            if index == 0 { out += "    " + String(repeating: "-", count: widths.reduce(0, +) + 6) + "\n" }
        }
        return out
    }

    /// `Biscoe, Dream, Torgersen`, at most eight of them.
    private static func values(_ values: [String], hasMissing: Bool) -> String {
        let shown = values.prefix(8).joined(separator: ", ") + (values.count > 8 ? ", ... (\(values.count) values)" : "")
        return hasMissing ? shown + ", (missing)" : shown
    }
}

/// Short numbers for tables: `43.92`, `4201`, `1.5e-05`.
enum TableNumber {
    static func short(_ value: Float) -> String {
        if value == value.rounded(), abs(value) < 1e7 { return String(Int(value)) }
        if abs(value) >= 0.01 && abs(value) < 1e6 {
            var text = String(format4(value))
            while text.hasSuffix("0") { text.removeLast() }
            return text
        }
        return "\(value)"
    }

    private static func format4(_ value: Float) -> String {
        let scaled = (Double(value) * 10_000).rounded() / 10_000
        return "\(scaled)"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
