import DLCRuntime
import Foundation

/// Everything one report page shows: the run folders and sweep folders it was given, read.
///
/// A folder that holds a `leaderboard.csv` is a sweep; any other is a run folder. Runs are shown
/// together (overlaid); each sweep gets a section of its own.
public struct ReportContents: Sendable, Hashable {
    /// The run folders, in the order given.
    public var runs: [RunFolder]
    /// The sweep folders, in the order given.
    public var sweeps: [SweepFolder]

    public init(runs: [RunFolder] = [], sweeps: [SweepFolder] = []) {
        self.runs = runs
        self.sweeps = sweeps
    }

    /// Reads every folder of `paths`; the first problem (a missing or malformed file) is thrown.
    public static func load(_ paths: [String]) throws(ReportError) -> ReportContents {
        var contents = ReportContents()
        for path in paths {
            guard RunFolder.isFolder(path) else { throw .notAFolder(path: path) }
            if SweepFolder.isSweep(path) {
                contents.sweeps.append(try SweepFolder.load(path))
            } else {
                contents.runs.append(try RunFolder.load(path))
            }
        }
        contents.runs = uniquelyNamed(contents.runs)
        return contents
    }

    /// Where the page goes by default: `report.html` in the first folder given.
    public static func defaultOutput(for paths: [String]) -> String {
        RunFolder.join(paths.first ?? ".", "report.html")
    }

    /// The page's title: the names of what it shows.
    public var title: String {
        let names = sweeps.map { "\($0.name) sweep" } + runs.map(\.name)
        switch names.count {
        case 0: return "dlc report"
        case 1...4: return "dlc report: " + names.joined(separator: ", ")
        default: return "dlc report: " + names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
        }
    }

    /// The runs with repeated folder names told apart by their parent folder
    /// (`a/iris` and `b/iris` become `a/iris` and `b/iris`; a lone `iris` stays `iris`).
    static func uniquelyNamed(_ runs: [RunFolder]) -> [RunFolder] {
        var counts: [String: Int] = [:]
        for run in runs { counts[run.name, default: 0] += 1 }
        var seen: [String: Int] = [:]
        return runs.map { run in
            guard (counts[run.name] ?? 0) > 1 else { return run }
            var renamed = run
            // (Foundation's `deletingLastPathComponent` traps on a one- or two-letter name without a folder.)
            let standardized = (run.path as NSString).standardizingPath
            let parent = RunFolder.folderName(standardized.contains("/") ? (standardized as NSString).deletingLastPathComponent : "")
            renamed.name = parent.isEmpty || parent == "/" ? run.name : parent + "/" + run.name
            let index = seen[renamed.name, default: 0]
            seen[renamed.name] = index + 1
            if index > 0 { renamed.name += " (\(index + 1))" }
            return renamed
        }
    }
}
