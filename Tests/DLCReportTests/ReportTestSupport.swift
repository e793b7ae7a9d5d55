import DLCReport
import DLCRuntime
import Foundation
import Testing

/// The suite that holds every test of `DLCRuntime/Report` (`dlc report`), so
/// `swift test --filter ReportTests` runs them all.
@Suite struct ReportTests {}

/// A fresh folder under the system's temporary folder for report tests, removed when the value
/// goes away.
final class ReportTestDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("dlc-report-tests-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The full path of `name` inside the folder.
    func file(_ name: String) -> String {
        path + "/" + name
    }

    /// Writes `text` to `name` (a relative path), creating the folders above it.
    func write(_ text: String, to name: String) {
        let full = file(name)
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try? Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Writes a run folder `name` holding `metrics` and a summary made by `ReportFixtures.summary`.
    @discardableResult
    func makeRun(_ name: String, metrics: String = ReportFixtures.classificationMetrics,
                 summary: String = ReportFixtures.summary()) -> String {
        write(metrics, to: name + "/metrics.csv")
        write(summary, to: name + "/summary.json")
        return file(name)
    }

    /// Writes a sweep folder `name` with three trials (one failed) over `neurons` and `learning_rate`.
    @discardableResult
    func makeSweep(_ name: String) -> String {
        write(ReportFixtures.sweepJSON, to: name + "/sweep.json")
        write(ReportFixtures.leaderboard, to: name + "/leaderboard.csv")
        makeRun(name + "/trial-000", summary: ReportFixtures.summary(name: "iris", valAccuracy: 0.9, bestEpoch: 2))
        makeRun(name + "/trial-001", summary: ReportFixtures.summary(name: "iris", valAccuracy: 0.9667, bestEpoch: 3))
        write("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate\n1,nan,,nan,,0.5\n", to: name + "/trial-002/metrics.csv")
        write(ReportFixtures.summary(name: "iris", status: "failed", valAccuracy: nil, bestEpoch: nil,
                                     message: "training diverged: loss is nan"), to: name + "/trial-002/summary.json")
        return file(name)
    }
}

/// Text of the files `dlc run` and `dlc sweep` write, for building fixtures.
enum ReportFixtures {
    /// Three epochs of a classifier with validation.
    static let classificationMetrics = """
        epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate
        1,1.2752938,0.475,0.51254654,0.73333335,0.01
        2,0.45347044,0.85833335,0.27641636,0.93333334,0.01
        3,0.21,0.95,0.2,0.96666664,0.005

        """

    /// A `summary.json`; a nil `valAccuracy` leaves the metrics empty.
    static func summary(name: String = "iris-mlp", status: String = "completed", valAccuracy: Double? = 0.93333334,
                        bestEpoch: Int? = 3, message: String? = nil) -> String {
        let metrics = valAccuracy.map { "\"train_loss\": 0.21, \"val_loss\": 0.2, \"val_accuracy\": \($0), \"test_accuracy\": 0.9" } ?? ""
        let best = bestEpoch.map(String.init) ?? "null"
        let note = message.map { "\"\($0)\"" } ?? "null"
        return """
            {"best_epoch": \(best), "epochs_completed": 3, "message": \(note), "metrics": {\(metrics)},
             "name": "\(name)", "parameters": 403, "samples_per_second": 1000.5, "seconds": 0.25, "status": "\(status)"}

            """
    }

    /// The `sweep.json` of `ReportTestDirectory.makeSweep`.
    static let sweepJSON = """
        {"metric": "val_accuracy", "goal": "maximize", "hyperparameters": ["neurons", "learning_rate"], "trials": 3, "best_trial": 1}

        """

    /// The `leaderboard.csv` of `ReportTestDirectory.makeSweep`, in completion order (not trial order).
    static let leaderboard = """
        trial,status,neurons,learning_rate,epochs,test_accuracy,train_loss,val_accuracy,val_loss,seconds
        1,completed,16,0.01,3,0.9,0.21,0.9667,0.2,0.25
        0,completed,8,0.001,3,0.9,0.21,0.9,0.2,0.24
        2,failed,32,0.5,1,,,,,0.02

        """
}

/// The `ReportError` `body` throws, or nil when it returns or throws something else.
func reportError(_ body: () throws -> Void) -> ReportError? {
    do {
        try body()
        return nil
    } catch {
        return error as? ReportError
    }
}

/// The number of times `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}
