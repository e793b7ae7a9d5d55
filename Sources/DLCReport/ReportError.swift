import DLCRuntime
import Foundation

/// Why `dlc report` cannot build its page: a missing, unreadable or malformed input file.
///
/// Every case names the file, and a line (1-based) where one is known, so a message reads
/// `runs/iris/metrics.csv:3: expected 6 cells, found 5`.
public enum ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The folder given on the command line does not exist or is not a folder.
    case notAFolder(path: String)
    /// The folder holds none of the files of a run (`metrics.csv`, `summary.json`) or a sweep
    /// (`leaderboard.csv`).
    case notARunFolder(path: String)
    /// A file the report needs is missing.
    case missingFile(path: String, purpose: String)
    /// A file exists but cannot be read (permissions, not UTF-8, ...).
    case unreadable(path: String, reason: String)
    /// A file was read but its contents do not have the expected form.
    case malformed(path: String, line: Int?, reason: String)

    /// The path of the file or folder the error is about.
    public var path: String {
        switch self {
        case .notAFolder(let path), .notARunFolder(let path), .missingFile(let path, _), .unreadable(let path, _), .malformed(let path, _, _):
            return path
        }
    }

    /// One line for people: `PATH[:LINE]: WHAT`, without an `error:` prefix.
    public var description: String {
        switch self {
        case .notAFolder(let path):
            return "\(path): not a run or sweep folder (it does not exist or is not a folder)"
        case .notARunFolder(let path):
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("training-state.safetensors")) {
                return "\(path): an unfinished run (a training state, no summary.json): it was killed or is still training; "
                    + "continue it with `dlc run SPEC --out \(path) --resume`"
            }
            return "\(path): no finished run or sweep here (no summary.json, metrics.csv or leaderboard.csv); "
                + "a run or sweep killed before it finished, or still running, leaves none"
        case .missingFile(let path, let purpose):
            return "\(path): missing (\(purpose))"
        case .unreadable(let path, let reason):
            return "\(path): cannot read it: \(reason)"
        case .malformed(let path, let line, let reason):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
        }
    }

    /// The text of the file at `path` as UTF-8.
    ///
    /// Throws `missingFile` (with `purpose`) when it does not exist, `unreadable` when it
    /// cannot be read or is not UTF-8.
    static func readText(_ path: String, purpose: String) throws(ReportError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .missingFile(path: path, purpose: purpose)
        }
        guard !isFolder.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "it is not UTF-8 text")
        }
        return text
    }

    /// A `DecodingError` from reading `text`, the JSON file at `path`, said for people.
    static func describing(_ error: any Error, inJSON path: String, text: String) -> ReportError {
        guard let decoding = error as? DecodingError else {
            return .malformed(path: path, line: nil, reason: "not valid JSON")
        }
        switch decoding {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return syntaxError(in: text, path: path)
        case .keyNotFound(let key, let context):
            return .malformed(path: path, line: nil, reason: "missing key `\(keyPath(context.codingPath + [key]))`")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .malformed(path: path, line: nil, reason: "expected a JSON object")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return .malformed(path: path, line: nil,
                              reason: "unexpected value for `\(keyPath(context.codingPath))`: \(context.debugDescription)")
        @unknown default:
            return .malformed(path: path, line: nil, reason: "not valid JSON")
        }
    }

    /// Why `text` is not JSON, with the line of the problem when the parser says where it is.
    static func syntaxError(in text: String, path: String) -> ReportError {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .malformed(path: path, line: nil, reason: "the file is empty; expected a JSON object")
        }
        var detail = ""
        var line: Int?
        do {
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
            let trimmed = message.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            if !trimmed.isEmpty { detail = ": " + trimmed.prefix(1).lowercased() + trimmed.dropFirst() }
            if let range = message.range(of: "character "),
               let offset = Int(message[range.upperBound...].prefix { $0.isNumber }) {
                line = text.utf8.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
            }
        }
        return .malformed(path: path, line: line, reason: "not valid JSON" + detail)
    }

    /// `metrics.val_loss`, `status`, ...
    private static func keyPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
