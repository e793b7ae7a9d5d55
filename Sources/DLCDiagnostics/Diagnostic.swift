/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Codable {
    case error
    case warning
    case note
}

/// A secondary message attached to a diagnostic, optionally pointing at another place.
public struct DiagnosticNote: Hashable, Sendable {
    public var message: String
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// One problem found in one file, as data: rendering happens in one place (`DiagnosticRenderer`).
///
/// Messages follow rustc's style: lowercase, code in backticks, what was found and what would fix it.
public struct Diagnostic: Hashable, Sendable {
    /// A stable, kebab-case identifier of the rule, such as `unknown-key`.
    public var code: String
    public var severity: Severity
    public var message: String
    /// The smallest span that shows the problem; `nil` for problems of a whole file.
    public var range: SourceRange?
    /// Suggestions that fix the problem, rendered as `help:` lines.
    public var help: [String]
    /// Context, rendered as `note:` lines.
    public var notes: [DiagnosticNote]

    public init(
        _ severity: Severity,
        code: String,
        _ message: String,
        at range: SourceRange?,
        help: [String] = [],
        notes: [DiagnosticNote] = []
    ) {
        self.code = code
        self.severity = severity
        self.message = message
        self.range = range
        self.help = help
        self.notes = notes
    }

    public static func error(
        _ code: String, _ message: String, at range: SourceRange?,
        help: [String] = [], notes: [DiagnosticNote] = []
    ) -> Diagnostic {
        Diagnostic(.error, code: code, message, at: range, help: help, notes: notes)
    }

    public static func warning(
        _ code: String, _ message: String, at range: SourceRange?,
        help: [String] = [], notes: [DiagnosticNote] = []
    ) -> Diagnostic {
        Diagnostic(.warning, code: code, message, at: range, help: help, notes: notes)
    }

    /// Adds a `help:` line.
    public func helping(_ text: String?) -> Diagnostic {
        guard let text else { return self }
        var copy = self
        copy.help.append(text)
        return copy
    }

    /// Adds a `note:` line.
    public func noting(_ text: String, at range: SourceRange? = nil) -> Diagnostic {
        var copy = self
        copy.notes.append(DiagnosticNote(text, at: range))
        return copy
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by position (file-level problems first), keeping the order of equal positions.
    public func sortedByPosition() -> [Diagnostic] {
        enumerated().sorted { lhs, rhs in
            let l = lhs.element.range?.start ?? SourceLocation(line: 0, column: 0)
            let r = rhs.element.range?.start ?? SourceLocation(line: 0, column: 0)
            return l == r ? lhs.offset < rhs.offset : l < r
        }.map(\.element)
    }
}
