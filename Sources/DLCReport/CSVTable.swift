import DLCRuntime
import Foundation

/// A small CSV file read whole: a header row of column names, then rows of text cells.
///
/// Reads what `MetricsLog` and `dlc sweep` write, and what a spreadsheet saves: fields separated by
/// `,`, optionally quoted with `"` (a quote inside doubled), rows ending in `\n` or `\r\n`. Blank
/// lines are skipped. Every row must have as many cells as the header; anything else is a
/// `ReportError.malformed` naming the file and line.
public struct CSVTable: Sendable, Hashable {
    /// One data row and the line (1-based) it starts on.
    public struct Row: Sendable, Hashable {
        public var line: Int
        public var cells: [String]
    }

    /// The column names, in file order.
    public let columns: [String]
    /// The data rows, in file order.
    public let rows: [Row]
    /// The file the table was read from, for messages.
    public let path: String

    /// Parses `text`, the contents of the file at `path` (used only in messages).
    public init(parsing text: String, path: String) throws(ReportError) {
        self.path = path
        var records = try Self.records(in: text, path: path)
        guard !records.isEmpty else { throw .malformed(path: path, line: nil, reason: "the file is empty; expected a header row") }
        let header = records.removeFirst()
        let names = header.cells.map { $0.trimmingCharacters(in: .whitespaces) }
        if let empty = names.firstIndex(of: "") {
            throw .malformed(path: path, line: header.line, reason: "column \(empty + 1) of the header has no name")
        }
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw .malformed(path: path, line: header.line, reason: "the header names column `\(name)` twice")
        }
        for record in records where record.cells.count != names.count {
            throw .malformed(path: path, line: record.line,
                             reason: "expected \(names.count) cells as in the header, found \(record.cells.count)")
        }
        columns = names
        rows = records
    }

    /// Reads and parses the file at `path`; `purpose` says what the file is for when it is missing.
    public init(contentsOf path: String, purpose: String) throws(ReportError) {
        try self.init(parsing: try ReportError.readText(path, purpose: purpose), path: path)
    }

    /// The index of `column`, or nil when the table has no such column.
    public func index(of column: String) -> Int? {
        columns.firstIndex(of: column)
    }

    /// The cell of `row` in `column`, or nil when there is no such column.
    public func cell(_ row: Row, _ column: String) -> String? {
        index(of: column).map { row.cells[$0] }
    }

    /// The number in `text`: nil for an empty cell, NaN or an infinity for `nan`, `inf`, `-inf`.
    ///
    /// Throws when the text is not a number; the message names the column and line.
    public func number(_ text: String, column: String, line: Int) throws(ReportError) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if let value = Self.number(trimmed) { return value }
        throw .malformed(path: path, line: line, reason: "`\(trimmed)` in column `\(column)` is not a number")
    }

    /// `text` as a number, accepting `nan`, `inf`, `-inf` and `infinity` in any case; nil otherwise.
    public static func number(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let value = Double(trimmed) { return value }
        switch trimmed.lowercased() {
        case "nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }

    /// Splits `text` into records of cells, each with the line it starts on; blank lines are skipped.
    static func records(in text: String, path: String) throws(ReportError) -> [Row] {
        var records: [Row] = []
        var cells: [String] = []
        var field = ""
        var quoted = false, fieldWasQuoted = false, recordHasContent = false
        var line = 1, recordLine = 1, quoteLine = 1
        func endRecord() {
            if recordHasContent || !cells.isEmpty || !field.isEmpty || fieldWasQuoted {
                cells.append(field)
                records.append(Row(line: recordLine, cells: cells))
            }
            cells = []
            field = ""
            fieldWasQuoted = false
            recordHasContent = false
        }
        var characters = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? characters.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                quoted = true
                fieldWasQuoted = true
                recordHasContent = true
                quoteLine = line
            case ",":
                cells.append(field)
                field = ""
                fieldWasQuoted = false
                recordHasContent = true
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\r":
                break
            default:
                if fieldWasQuoted {
                    throw .malformed(path: path, line: line, reason: "text after the closing quote of a quoted cell")
                }
                field.unicodeScalars.append(scalar)
                recordHasContent = true
            }
        }
        if quoted { throw .malformed(path: path, line: quoteLine, reason: "a quoted cell is never closed") }
        endRecord()
        return records
    }
}
