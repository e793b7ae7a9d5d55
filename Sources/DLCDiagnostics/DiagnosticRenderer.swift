import Foundation

/// The output formats of `dlc check`.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    case text
    case json
    case github
}

/// Renders diagnostics as text with the source line and a caret, as JSON, or as GitHub annotations.
public enum DiagnosticRenderer {
    /// rustc-style text:
    /// ```
    /// specs/iris.yaml:16:36: error: unknown option `activaton` for `dense`
    ///    |
    /// 16 |         - dense: {units: $neurons, activaton: relu}
    ///    |                                    ^^^^^^^^^
    ///    = help: did you mean `activation`?
    /// ```
    public static func text(_ diagnostic: Diagnostic, in file: SourceFile, color: Bool = false) -> String {
        let style = TextStyle(enabled: color)
        var header = file.path
        if let start = diagnostic.range?.start { header += ":\(start.line):\(start.column)" }
        let severity = style.paint(diagnostic.severity.rawValue + ":", diagnostic.severity == .error ? .red : .yellow)
        var out = style.bold(header + ": ") + severity + " " + style.bold(diagnostic.message) + "\n"
        let gutter = String(repeating: " ", count: gutterWidth(diagnostic))
        if let range = diagnostic.range, let snippet = self.snippet(range, in: file, gutter: gutter, style: style) {
            out += snippet
        }
        for note in diagnostic.notes {
            var text = note.message
            if let start = note.range?.start { text += " (at \(file.path):\(start.line):\(start.column))" }
            out += "\(gutter)= \(style.bold("note:")) \(text)\n"
        }
        for help in diagnostic.help {
            out += "\(gutter)= \(style.paint("help:", .cyan)) \(help)\n"
        }
        return out
    }

    /// All diagnostics of one file as text, one after another, separated by blank lines.
    public static func text(_ diagnostics: [Diagnostic], in file: SourceFile, color: Bool = false) -> String {
        diagnostics.map { text($0, in: file, color: color) }.joined(separator: "\n")
    }

    /// One JSON object: `file`, `line`, `column`, `end_line`, `end_column`, `severity`, `code`,
    /// `message`, `help`, `notes`.
    public static func jsonObject(_ diagnostic: Diagnostic, path: String) -> [String: Any] {
        var object: [String: Any] = [
            "file": path,
            "severity": diagnostic.severity.rawValue,
            "code": diagnostic.code,
            "message": diagnostic.message,
            "help": diagnostic.help,
            "notes": diagnostic.notes.map { note -> [String: Any] in
                var entry: [String: Any] = ["message": note.message]
                if let start = note.range?.start { entry["line"] = start.line; entry["column"] = start.column }
                return entry
            },
        ]
        if let range = diagnostic.range {
            object["line"] = range.start.line
            object["column"] = range.start.column
            object["end_line"] = range.end.line
            object["end_column"] = range.end.column
        } else {
            object["line"] = NSNull()
            object["column"] = NSNull()
        }
        return object
    }

    /// A JSON array of `jsonObject`s, pretty-printed with sorted keys.
    public static func json(_ entries: [(path: String, diagnostic: Diagnostic)]) -> String {
        let array = entries.map { jsonObject($0.diagnostic, path: $0.path) }
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: array, options: options),
              let string = String(data: data, encoding: .utf8)
        else { preconditionFailure("internal: diagnostics are always serializable") }
        return string + "\n"
    }

    /// A GitHub Actions workflow command: `::error file=F,line=L,col=C,endLine=..,endColumn=..,title=CODE::MESSAGE`.
    public static func github(_ diagnostic: Diagnostic, path: String) -> String {
        var properties = ["file=\(escapeProperty(path))"]
        if let range = diagnostic.range {
            properties.append("line=\(range.start.line)")
            properties.append("col=\(range.start.column)")
            if range.end.line == range.start.line, range.end.column > range.start.column {
                properties.append("endColumn=\(range.end.column)")
            } else if range.end.line > range.start.line {
                properties.append("endLine=\(range.end.line)")
            }
        }
        properties.append("title=\(escapeProperty("dlc " + diagnostic.code))")
        var message = diagnostic.message
        for note in diagnostic.notes { message += "\nnote: " + note.message }
        for help in diagnostic.help { message += "\nhelp: " + help }
        let command = diagnostic.severity == .note ? "notice" : diagnostic.severity.rawValue
        return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
    }

    // MARK: - Pieces

    private static func gutterWidth(_ diagnostic: Diagnostic) -> Int {
        String(diagnostic.range?.start.line ?? 1).count + 1
    }

    /// The longest stretch of a line shown; longer lines are cut around the span.
    static let maximumSnippetWidth = 120

    private static func snippet(_ range: SourceRange, in file: SourceFile, gutter: String, style: TextStyle) -> String? {
        guard let line = file.line(range.start.line) else { return nil }
        let scalars = Array(line.unicodeScalars)
        let start = min(max(range.start.column, 1), scalars.count + 1) - 1
        var end = range.end.line == range.start.line ? min(max(range.end.column - 1, start + 1), scalars.count) : scalars.count
        var from = 0, to = scalars.count
        if scalars.count > maximumSnippetWidth {
            from = max(0, start - maximumSnippetWidth / 3)
            to = min(scalars.count, from + maximumSnippetWidth)
            end = min(end, to)
        }
        let prefix = from > 0 ? "..." : "", suffix = to < scalars.count ? "..." : ""
        let shown = prefix + String(String.UnicodeScalarView(scalars[from..<to].map { $0 == "\u{FFFD}" || $0.properties.generalCategory == .control && $0 != "\t" ? "\u{FFFD}" : $0 })) + suffix
        // Keep tabs in the padding so the caret lines up under tabbed text.
        let padding = String(repeating: " ", count: prefix.count)
            + scalars[from..<min(start, to)].map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        let caretCount = max(1, scalars[min(start, to)..<max(min(start, to), end)].reduce(0) { $0 + DisplayWidth.of($1) })
        let number = String(range.start.line).padding(toLength: gutter.count, withPad: " ", startingAt: 0)
        let bar = style.paint("|", .blue)
        var out = "\(gutter)\(bar)\n"
        out += "\(style.paint(number, .blue))\(bar) \(shown)\n"
        out += "\(gutter)\(bar) \(padding)\(style.paint(String(repeating: "^", count: caretCount), .red))\n"
        return out
    }

    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// ANSI styling, off unless asked for.
struct TextStyle {
    enum Color: String {
        case red = "31", yellow = "33", blue = "34", cyan = "36"
    }

    var enabled: Bool

    func paint(_ text: String, _ color: Color) -> String {
        enabled ? "\u{1B}[1;\(color.rawValue)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String {
        enabled ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}
