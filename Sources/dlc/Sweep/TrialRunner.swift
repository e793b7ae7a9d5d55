import DLCCheck
import DLCRuntime
import Foundation

/// A finished (or failed) trial as the leaderboard shows it.
struct TrialResult: Sendable, Codable {
    var trial: SweepTrial
    /// `completed`, `stopped_early`, `interrupted`, `failed`, or `not_run` (the sweep was stopped first).
    var status: String
    var metrics: [String: Double]
    var epochs: Int
    var seconds: Double
    var folder: String
}

/// Runs trials as `dlc run` child processes, `jobs` at a time, each with its share of the BLAS threads.
///
/// The ranks of a sweep started with `mpirun` share the trials out: rank `r` of `N` runs the
/// trials at positions `r, r + N, ...` of each round (whole trials, each a single-process run),
/// and every rank then has every rank's results (`exchange`), so each ranks a round as the others do.
final class TrialRunner: @unchecked Sendable {
    let spec: String
    let directory: String
    let overrides: [String]
    let threads: Int
    let jobs: Int
    let metric: String
    let maximizes: Bool
    private let lock = NSLock()
    private var finished = 0
    private var running: [Int: Process] = [:]
    private var stopping = false
    /// This process's share of the trials: rank and ranks (0 and 1 for one process).
    var share = (rank: 0, ranks: 1)
    /// Gives every rank the results of all (the identity for one process).
    var exchange: ([TrialResult]) -> [TrialResult] = { $0 }

    init(spec: String, directory: String, overrides: [String], threads: Int, jobs: Int, metric: String, maximizes: Bool) {
        self.spec = spec
        self.directory = directory
        self.overrides = overrides
        self.threads = threads
        self.jobs = jobs
        self.metric = metric
        self.maximizes = maximizes
    }

    func folder(_ trial: SweepTrial) -> String {
        (directory as NSString).appendingPathComponent(String(format: "trial-%03d", trial.index))
    }

    /// Runs every trial (keeping those already finished with the same values), `jobs` at once.
    func run(_ trials: [SweepTrial], epochs: Int?) -> [TrialResult] {
        finished = 0
        let results = ResultList()
        let mine = trials.enumerated().filter { $0.offset % share.ranks == share.rank }.map(\.element)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = jobs
        for trial in isStopping ? [] : mine {
            queue.addOperation { [self] in
                let result = self.run(trial, epochs: epochs, of: mine.count)
                self.lock.withLock { results.items.append(result) }
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        return exchange(results.items)
    }

    /// After a signal: no new trial starts, and each running one is sent SIGTERM, so that it
    /// stops after its current step and writes itself as `interrupted`.
    func stop(signal number: Int32) {
        let processes = lock.withLock { () -> [Process] in
            stopping = true
            return Array(running.values)
        }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    var isStopping: Bool { lock.withLock { stopping } }

    private func run(_ trial: SweepTrial, epochs: Int?, of total: Int) -> TrialResult {
        let folder = self.folder(trial)
        let marker = TrialMarker(values: trial.values.map { "\($0.name)=\($0.text)" }, seed: trial.seed, epochs: epochs)
        if let kept = resumed(trial, folder: folder, marker: marker) {
            report(kept, total: total, note: "kept")
            return kept
        }
        if isStopping {
            return TrialResult(trial: trial, status: "not_run", metrics: [:], epochs: 0, seconds: 0, folder: folder)
        }
        // A trial a stopped sweep left mid-way goes on from its last epoch (`dlc run --resume`,
        // which refuses, and the trial starts over, when its spec or data changed since).
        let continues = continuable(folder, marker: marker)
        if !continues {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try? AtomicFile.write(marker.json(), to: (folder as NSString).appendingPathComponent("trial.json"))
        }
        var arguments = ["run", spec, "--out", folder, "--seed", String(trial.seed), "--threads", String(threads)]
        for text in overrides { arguments += ["--set", text] }
        for value in trial.values { arguments += ["--set", "\(value.name)=\(value.text)"] }
        if let epochs { arguments += ["--epochs", String(epochs)] }
        if continues { arguments.append("--resume") }
        let start = Date()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executablePath)
        process.arguments = arguments
        // The trial ends with the sweep, even when the sweep is killed (`dlc run` asks the
        // kernel for SIGTERM when this process dies: `ParentWatch`).
        // A trial is one process even when the sweep is a rank of an MPI job: it must not see the launcher.
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !["OMPI_", "PMIX_", "PMI_"].contains(where: { key.hasPrefix($0) })
        }
        environment[ParentWatch.variable] = String(getpid())
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let logPath = (folder as NSString).appendingPathComponent("log.txt")
        if !continues || !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = FileHandle(forWritingAtPath: logPath)
        _ = try? log?.seekToEnd()
        process.standardError = log ?? FileHandle.nullDevice
        var launched = false, cancelled = false
        do {
            try lock.withLock { () throws in
                guard !stopping else { cancelled = true; return }
                try process.run()
                launched = true
                running[trial.index] = process
            }
            if launched {
                process.waitUntilExit()
                lock.withLock { running[trial.index] = nil }
            }
        } catch {
            launched = false
        }
        if cancelled {
            return TrialResult(trial: trial, status: "not_run", metrics: [:], epochs: 0, seconds: 0, folder: folder)
        }
        if continues, launched, process.terminationStatus != 0, Self.summary(folder) == nil,
           FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(Self.stateFile)),
           let text = try? String(contentsOfFile: logPath, encoding: .utf8), text.contains("error: cannot resume") {
            // Refused: the spec or data changed since. The trial starts over.
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(Self.stateFile))
            return run(trial, epochs: epochs, of: total)
        }
        var result = TrialResult(trial: trial, status: "failed", metrics: [:], epochs: 0,
                                 seconds: Date().timeIntervalSince(start), folder: folder)
        if launched, isStopping, process.terminationReason == .uncaughtSignal {
            // Stopped by the sweep's signal before it could write itself.
            result.status = "interrupted"
        }
        if launched, let summary = Self.summary(folder) {
            // A trial stopped by a signal exits 130 or 143 and says `interrupted` itself.
            let trusted = process.terminationStatus == 0 || summary.status == .interrupted
            result.status = trusted ? summary.status.rawValue : "failed"
            result.metrics = summary.metrics.filter { $0.value.isFinite }
            result.epochs = summary.epochsCompleted
        }
        report(result, total: total, note: nil)
        return result
    }

    static let stateFile = SavedTraining.fileName

    /// Whether a trial folder holds an unfinished run of the same values, seed and epochs, with
    /// a training state to continue from.
    private func continuable(_ folder: String, marker: TrialMarker) -> Bool {
        let markerPath = (folder as NSString).appendingPathComponent("trial.json")
        guard let data = FileManager.default.contents(atPath: markerPath),
              let previous = try? JSONDecoder().decode(TrialMarker.self, from: data), previous == marker else { return false }
        return FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(Self.stateFile))
    }

    /// A trial whose folder holds a finished run of the same values, seed and epochs.
    private func resumed(_ trial: SweepTrial, folder: String, marker: TrialMarker) -> TrialResult? {
        let markerPath = (folder as NSString).appendingPathComponent("trial.json")
        guard let data = FileManager.default.contents(atPath: markerPath),
              let previous = try? JSONDecoder().decode(TrialMarker.self, from: data), previous == marker,
              let summary = Self.summary(folder), summary.status == .completed || summary.status == .stoppedEarly else { return nil }
        return TrialResult(trial: trial, status: summary.status.rawValue, metrics: summary.metrics.filter { $0.value.isFinite },
                           epochs: summary.epochsCompleted, seconds: summary.seconds, folder: folder)
    }

    private static func summary(_ folder: String) -> RunSummary? {
        guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent("summary.json")) else { return nil }
        return try? JSONDecoder().decode(RunSummary.self, from: data)
    }

    /// One line per finished trial on stderr: its values, the metric and the status.
    private func report(_ result: TrialResult, total: Int, note: String?) {
        lock.withLock {
            finished += 1
            let values = result.trial.values.map { "\($0.name)=\($0.text)" }.joined(separator: " ")
            let value = result.metrics[metric].map { ProgressPrinter.format($0) } ?? "-"
            let line = String(format: "[%d/%d] trial %03d  %@  %@ %@  %@  %.1fs\n", finished, total, result.trial.index,
                              values as NSString, metric as NSString, value as NSString,
                              (note ?? result.status) as NSString, result.seconds)
            Console.error(share.ranks > 1 ? "[rank \(share.rank)] " + line : line, always: true)
        }
    }

    /// This program, to start trials with.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// The results the worker threads add to, under the runner's lock.
private final class ResultList: @unchecked Sendable {
    var items: [TrialResult] = []
}

/// What a trial folder was run with, so a rerun can tell a finished trial from a stale one.
struct TrialMarker: Codable, Equatable {
    var values: [String]
    var seed: UInt64
    var epochs: Int?

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return ((try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }
}
