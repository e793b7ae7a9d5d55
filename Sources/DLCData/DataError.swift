/// Why a data source could not be read; every case names the file as the spec wrote it.
public enum DataError: Error, Sendable, Hashable {
    /// No file at the path (the path as written in the spec).
    case fileNotFound(path: String)
    /// The file exists but cannot be used: permission, a directory instead of a file, corrupt
    /// gzip data, larger than the size limit, ...
    case unreadable(path: String, reason: String)
    /// A target or feature column that the CSV header does not have.
    case missingColumn(column: String, available: [String])
    /// The file's contents break its format: a bad CSV header or row, a bad IDX magic number,
    /// counts that disagree, ... `line` and `column` are 1-based (columns count Unicode
    /// scalars) and present only for text files.
    case malformed(path: String, line: Int?, column: Int?, message: String)
}

extension DataError: CustomStringConvertible {
    /// One lowercase line in the style of the compiler's diagnostics, without a trailing period.
    public var message: String {
        switch self {
        case .fileNotFound(let path):
            return "no such file `\(path)`"
        case .unreadable(let path, let reason):
            return "cannot read `\(path)`: \(reason)"
        case .missingColumn(let column, let available):
            let names = available.map { "`\($0)`" }.joined(separator: ", ")
            return "no column `\(column)` in the header (columns: \(names))"
        case .malformed(_, _, _, let message):
            return message
        }
    }

    /// The message prefixed with `PATH:LINE:COLUMN: ` where those are known.
    public var description: String {
        switch self {
        case .malformed(let path, let line?, let column?, let message):
            return "\(path):\(line):\(column): \(message)"
        case .malformed(let path, let line?, nil, let message):
            return "\(path):\(line): \(message)"
        case .malformed(let path, nil, _, let message):
            return "\(path): \(message)"
        case .fileNotFound, .unreadable, .missingColumn:
            return message
        }
    }
}
