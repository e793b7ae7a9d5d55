import DLCRuntime
import Foundation

/// One run folder as the report shows it: its name, `summary.json` and `metrics.csv`.
///
/// A folder given on the command line must hold both files. A sweep's trial folder may lack
/// them (a trial that has not run yet, or failed before its first epoch); then the missing part
/// is nil and `note` says why, while a file that exists but is malformed is still an error.
public struct RunFolder: Sendable, Hashable {
    /// The folder's own name (its last path component), which names the run in legends.
    public var name: String
    /// The folder as given.
    public var path: String
    /// `summary.json`, or nil when a trial folder has none.
    public var summary: RunSummary?
    /// `metrics.csv`, or nil when a trial folder has none.
    public var metrics: MetricsTable?
    /// Why a trial folder's curves or summary are missing, for people; nil when complete.
    public var note: String?

    public init(name: String, path: String, summary: RunSummary?, metrics: MetricsTable?, note: String? = nil) {
        self.name = name
        self.path = path
        self.summary = summary
        self.metrics = metrics
        self.note = note
    }

    /// Reads the run folder at `path`; both `metrics.csv` and `summary.json` must be there (a
    /// folder with neither is `notARunFolder`).
    public static func load(_ path: String) throws(ReportError) -> RunFolder {
        guard isFolder(path) else { throw .notAFolder(path: path) }
        let files = ["metrics.csv", "summary.json"].map { FileManager.default.fileExists(atPath: join(path, $0)) }
        guard files.contains(true) else { throw .notARunFolder(path: path) }
        let summary = try readSummary(join(path, "summary.json"))
        let metrics = try MetricsTable(contentsOf: join(path, "metrics.csv"))
        return RunFolder(name: folderName(path), path: path, summary: summary, metrics: metrics)
    }

    /// Reads a sweep's trial folder at `path`, tolerating missing files (never malformed ones).
    public static func loadTrial(_ path: String, name: String) throws(ReportError) -> RunFolder {
        guard isFolder(path) else {
            return RunFolder(name: name, path: path, summary: nil, metrics: nil, note: "no folder `\(name)`")
        }
        var missing: [String] = []
        var summary: RunSummary?
        var metrics: MetricsTable?
        do throws(ReportError) {
            summary = try readSummary(join(path, "summary.json"))
        } catch .missingFile {
            missing.append("summary.json")
        }
        do throws(ReportError) {
            metrics = try MetricsTable(contentsOf: join(path, "metrics.csv"))
        } catch .missingFile {
            missing.append("metrics.csv")
        }
        let note = missing.isEmpty ? nil : "`\(name)` has no " + missing.joined(separator: " or ")
        return RunFolder(name: name, path: path, summary: summary, metrics: metrics, note: note)
    }

    /// Decodes the `summary.json` at `path`.
    public static func readSummary(_ path: String) throws(ReportError) -> RunSummary {
        let text = try ReportError.readText(path, purpose: "the run summary `dlc run` writes")
        return try parseSummary(text, path: path)
    }

    /// Decodes the text of a `summary.json`; `path` is used in messages.
    public static func parseSummary(_ text: String, path: String) throws(ReportError) -> RunSummary {
        do {
            return try JSONDecoder().decode(RunSummary.self, from: Data(text.utf8))
        } catch {
            throw ReportError.describing(error, inJSON: path, text: text)
        }
    }

    /// The epoch to mark as best: `best_epoch` of the summary when it is one of the logged epochs.
    public var bestEpoch: Double? {
        guard let best = summary?.bestEpoch, let metrics, metrics.epochs.contains(Double(best)) else { return nil }
        return Double(best)
    }

    /// The epochs that finished: the summary's count, or the metrics' rows when there is no summary.
    public var epochsCompleted: Int? {
        summary?.epochsCompleted ?? metrics?.rowCount
    }

    /// Whether `path` is an existing folder.
    static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// `folder/name`.
    static func join(_ folder: String, _ name: String) -> String {
        (folder as NSString).appendingPathComponent(name)
    }

    /// The last component of `path` after resolving `.` and `..`: `runs/iris/` -> `iris`.
    static func folderName(_ path: String) -> String {
        let trimmed = (path as NSString).standardizingPath
        let last = (trimmed as NSString).lastPathComponent
        if last.isEmpty || last == "." || last == ".." || last == "/" {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
            return absolute.isEmpty ? path : absolute
        }
        return last
    }
}
