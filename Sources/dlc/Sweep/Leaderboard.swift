import DLCRuntime
import Foundation

/// `leaderboard.csv` (one row per trial), `sweep.json` and `best.yaml`.
struct Leaderboard {
    let results: [TrialResult]
    let dimensions: [String]
    let metric: String
    let maximizes: Bool

    /// Finished trials with the metric, best first (ties: the lower trial index).
    static func ranked(_ results: [TrialResult], metric: String, maximizes: Bool) -> [TrialResult] {
        results.filter { $0.status != "failed" && $0.metrics[metric] != nil }.sorted { a, b in
            let (x, y) = (a.metrics[metric] ?? 0, b.metrics[metric] ?? 0)
            if x == y { return a.trial.index < b.trial.index }
            return maximizes ? x > y : x < y
        }
    }

    static func best(_ results: [TrialResult], metric: String, maximizes: Bool) -> TrialResult? {
        ranked(results, metric: metric, maximizes: maximizes).first
    }

    func csv() -> String {
        let metricColumns = Set(results.flatMap { $0.metrics.keys }).sorted()
        var lines = [(["trial", "status"] + dimensions + ["epochs"] + metricColumns + ["seconds"]).joined(separator: ",")]
        for result in results {
            let values = dimensions.map { name in result.trial.values.first { $0.name == name }?.text ?? "" }
            let metrics = metricColumns.map { column in result.metrics[column].map { MetricsLog.formatted($0) } ?? "" }
            lines.append(([String(result.trial.index), result.status] + values + [String(result.epochs)] + metrics
                          + [String(format: "%.2f", result.seconds)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Marks the folder as a sweep in progress: `sweep.json` says `running`, and an earlier
    /// sweep's `leaderboard.csv` and `best.yaml` are removed (they are written again at the end).
    func begin(in directory: String, trials: Int) throws {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try? FileManager.default.removeItem(atPath: path("leaderboard.csv"))
        try? FileManager.default.removeItem(atPath: path("best.yaml"))
        try writeDescription(to: path("sweep.json"), status: "running", trials: trials, best: nil)
    }

    /// `spec` is the swept spec's path, named in `best.yaml`'s header (its data paths are relative
    /// to that folder). `sweep.json` goes last and says `completed`, or `interrupted` when a
    /// signal stopped the sweep (then no `best.yaml`: the best of some trials is not the sweep's).
    func write(to directory: String, spec: String, finished: Bool) throws {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try AtomicFile.write(csv(), to: path("leaderboard.csv"))
        let best = finished ? Self.best(results, metric: metric, maximizes: maximizes) : nil
        if let best, let text = FileManager.default.contents(atPath: (best.folder as NSString).appendingPathComponent("spec.yaml")) {
            let values = best.trial.values.map { "\($0.name)=\($0.text)" }.joined(separator: ", ")
            let header = "# best trial \(best.trial.index) of the sweep of \(spec) (\(values)): \(metric) \(MetricsLog.formatted(best.metrics[metric] ?? .nan))\n"
                + "# data paths are relative to the folder of \(spec)\n"
            try AtomicFile.write(Data(header.utf8) + text, to: path("best.yaml"))
        }
        try writeDescription(to: path("sweep.json"), status: finished ? "completed" : "interrupted", trials: results.count, best: best)
    }

    private func writeDescription(to path: String, status: String, trials: Int, best: TrialResult?) throws {
        let description: [String: Any] = [
            "status": status, "metric": metric, "goal": maximizes ? "maximize" : "minimize", "hyperparameters": dimensions,
            "trials": trials, "trials_finished": results.filter { ["completed", "stopped_early"].contains($0.status) }.count,
            "best_trial": best.map { $0.trial.index } ?? NSNull(),
        ]
        let json = try JSONSerialization.data(withJSONObject: description, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write(json + Data("\n".utf8), to: path)
    }
}
