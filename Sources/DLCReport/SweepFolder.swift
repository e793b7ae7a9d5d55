import DLCRuntime
import Foundation

/// A sweep folder (`runs/NAME/sweep/`) as the report shows it: `sweep.json`, `leaderboard.csv`
/// and the run folder of every trial (`trial-000`, `trial-001`, ...).
public struct SweepFolder: Sendable, Hashable {
    /// What `sweep.json` says: the metric trials are ranked by, its goal and the hyperparameters searched.
    public struct Settings: Sendable, Hashable, Decodable {
        /// A leaderboard column such as `val_accuracy`.
        public var metric: String
        /// `maximize` or `minimize`.
        public var goal: String
        /// The hyperparameters searched, in leaderboard order.
        public var hyperparameters: [String]

        public init(metric: String, goal: String, hyperparameters: [String]) {
            self.metric = metric
            self.goal = goal
            self.hyperparameters = hyperparameters
        }

        /// Whether a larger metric is better.
        public var maximize: Bool { goal.lowercased().hasPrefix("max") }

        /// Decodes the text of a `sweep.json`, checking its goal; `path` is used in messages.
        public static func parse(_ text: String, path: String) throws(ReportError) -> Settings {
            let settings: Settings
            do {
                settings = try JSONDecoder().decode(Settings.self, from: Data(text.utf8))
            } catch {
                throw ReportError.describing(error, inJSON: path, text: text)
            }
            guard ["maximize", "minimize", "max", "min"].contains(settings.goal.lowercased()) else {
                throw .malformed(path: path, line: nil, reason: "`goal` is `\(settings.goal)`; expected `maximize` or `minimize`")
            }
            guard !settings.metric.isEmpty else { throw .malformed(path: path, line: nil, reason: "`metric` is empty") }
            return settings
        }
    }

    /// The sweep's name: the folder above `sweep/` (`runs/iris-sweep/sweep` -> `iris-sweep`).
    public var name: String
    /// The folder as given.
    public var path: String
    public var settings: Settings
    public var leaderboard: LeaderboardTable
    /// The trials' run folders, in leaderboard (trial) order; those with missing files carry a note.
    public var trials: [RunFolder]

    public init(name: String, path: String, settings: Settings, leaderboard: LeaderboardTable, trials: [RunFolder]) {
        self.name = name
        self.path = path
        self.settings = settings
        self.leaderboard = leaderboard
        self.trials = trials
    }

    /// Whether `path` is a sweep folder: one that holds a `leaderboard.csv`.
    public static func isSweep(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: RunFolder.join(path, "leaderboard.csv"))
    }

    /// Reads the sweep folder at `path`: `sweep.json` and `leaderboard.csv` must be there and
    /// well formed; each trial folder is read as `RunFolder.loadTrial` does.
    public static func load(_ path: String) throws(ReportError) -> SweepFolder {
        guard RunFolder.isFolder(path) else { throw .notAFolder(path: path) }
        let settingsPath = RunFolder.join(path, "sweep.json")
        let settings = try Settings.parse(
            try ReportError.readText(settingsPath, purpose: "the sweep's metric, goal and hyperparameters"), path: settingsPath)
        let leaderboard = try LeaderboardTable(contentsOf: RunFolder.join(path, "leaderboard.csv"),
                                               hyperparameters: settings.hyperparameters)
        var trials: [RunFolder] = []
        for entry in leaderboard.entries {
            let name = entry.folderName
            guard !name.contains("/"), name != "..", name != "." else {
                throw .malformed(path: RunFolder.join(path, "leaderboard.csv"), line: entry.line,
                                 reason: "`\(entry.trial)` is not a trial index or folder name")
            }
            trials.append(try RunFolder.loadTrial(RunFolder.join(path, name), name: name))
        }
        return SweepFolder(name: sweepName(path), path: path, settings: settings, leaderboard: leaderboard, trials: trials)
    }

    /// The trial folder of `entry`, when it was read.
    public func trial(for entry: LeaderboardTable.Entry) -> RunFolder? {
        trials.first { $0.name == entry.folderName }
    }

    /// Trials that finished and trials that failed (or have no metric value).
    public var counts: (finished: Int, failed: Int) {
        let failed = leaderboard.entries.filter { leaderboard.isFailed($0, metric: settings.metric) }.count
        return (leaderboard.entries.count - failed, failed)
    }

    /// `runs/iris-sweep/sweep` -> `iris-sweep`; any other folder -> its own name.
    static func sweepName(_ path: String) -> String {
        let own = RunFolder.folderName(path)
        guard own == "sweep" else { return own }
        let parent = (((path as NSString).standardizingPath) as NSString).deletingLastPathComponent
        let above = parent.isEmpty ? URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().lastPathComponent
                                   : RunFolder.folderName(parent)
        return above.isEmpty ? own : above
    }
}
