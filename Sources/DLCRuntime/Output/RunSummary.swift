import Foundation

/// How a training run ended, as written in `summary.json`.
public enum RunStatus: String, Codable, Sendable, Hashable, CaseIterable {
    /// Every epoch ran.
    case completed
    /// Early stopping ended training before the last epoch.
    case stoppedEarly = "stopped_early"
    /// The user interrupted the run (Ctrl-C); the outputs hold the last finished epoch.
    case interrupted
    /// An error ended the run; `message` says which.
    case failed
}

/// The contents of a run's `summary.json`.
///
/// ```
/// {
///   "best_epoch" : 7,
///   "epochs_completed" : 10,
///   "message" : null,
///   "metrics" : {
///     "test_accuracy" : 0.9733,
///     "val_loss" : 0.0912
///   },
///   "name" : "mnist",
///   "parameters" : 101770,
///   "samples_per_second" : 51234.5,
///   "seconds" : 12.5,
///   "status" : "completed"
/// }
/// ```
/// Every key is always present; `best_epoch` and `message` are `null` when absent. Metrics are
/// float32 quantities and are written as the shortest decimal that reads back as the same
/// float32 (`0.1`, not `0.10000000149011612`), like `metrics.csv`. A value that is not finite
/// (a diverged loss) is written as `null`, since JSON has no NaN, and reads back as NaN.
public struct RunSummary: Codable, Sendable, Hashable {
    /// The spec's `name`.
    public var name: String
    public var status: RunStatus
    /// Epochs that finished, 0 when the run failed before the first ended.
    public var epochsCompleted: Int
    /// The epoch (1-based) whose weights were kept, or nil when none was selected.
    public var bestEpoch: Int?
    /// Wall-clock seconds of training.
    public var seconds: Double
    /// Training samples processed per second.
    public var samplesPerSecond: Double
    /// The model's trainable parameter count.
    public var parameters: Int
    /// Final metrics by name: `train_loss`, `val_loss`, `val_accuracy`, `test_loss`,
    /// `test_accuracy`, ..., in the target's own units.
    public var metrics: [String: Double]
    /// Why the run failed or stopped, for people; nil when there is nothing to say.
    public var message: String?
    /// A classifier's confusion matrices after training, by split (`train`, `val`, `test`):
    /// `[true class][predicted class]` counts over `classes`; nil (`null`) for a regression.
    public var confusion: ConfusionMatrices?
    /// A data-parallel run's ranks, and the share of its training steps' time spent summing
    /// gradients (waiting for the other ranks included); both absent for one process.
    public var ranks: Int?
    public var communicationShare: Double?

    public init(
        name: String, status: RunStatus, epochsCompleted: Int, bestEpoch: Int?, seconds: Double,
        samplesPerSecond: Double, parameters: Int, metrics: [String: Double], message: String? = nil
    ) {
        self.name = name
        self.status = status
        self.epochsCompleted = epochsCompleted
        self.bestEpoch = bestEpoch
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.parameters = parameters
        self.metrics = metrics
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case name, status, parameters, metrics, message, seconds
        case epochsCompleted = "epochs_completed"
        case bestEpoch = "best_epoch"
        case samplesPerSecond = "samples_per_second"
        case confusion = "confusion_matrix"
        case ranks
        case communicationShare = "communication_share"
    }

    /// A metric name used as a JSON key.
    private struct MetricKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        status = try container.decode(RunStatus.self, forKey: .status)
        epochsCompleted = try container.decode(Int.self, forKey: .epochsCompleted)
        bestEpoch = try container.decodeIfPresent(Int.self, forKey: .bestEpoch)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds) ?? .nan
        samplesPerSecond = try container.decodeIfPresent(Double.self, forKey: .samplesPerSecond) ?? .nan
        parameters = try container.decode(Int.self, forKey: .parameters)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        confusion = try container.decodeIfPresent(ConfusionMatrices.self, forKey: .confusion)
        ranks = try container.decodeIfPresent(Int.self, forKey: .ranks)
        communicationShare = try container.decodeIfPresent(Double.self, forKey: .communicationShare)
        let metricsContainer = try container.nestedContainer(keyedBy: MetricKey.self, forKey: .metrics)
        var metrics: [String: Double] = [:]
        for key in metricsContainer.allKeys {
            metrics[key.stringValue] = try metricsContainer.decodeIfPresent(Double.self, forKey: key) ?? .nan
        }
        self.metrics = metrics
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(epochsCompleted, forKey: .epochsCompleted)
        try container.encode(bestEpoch, forKey: .bestEpoch)
        try container.encode(Self.finite(seconds), forKey: .seconds)
        try container.encode(Self.finite(samplesPerSecond), forKey: .samplesPerSecond)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(message, forKey: .message)
        try container.encode(confusion, forKey: .confusion)
        try container.encodeIfPresent(ranks, forKey: .ranks)
        try container.encodeIfPresent(communicationShare.flatMap(Self.finite), forKey: .communicationShare)
        var metricsContainer = container.nestedContainer(keyedBy: MetricKey.self, forKey: .metrics)
        for (key, value) in metrics {
            try metricsContainer.encode(Self.float32Rounded(value), forKey: MetricKey(stringValue: key))
        }
    }

    /// The summary as pretty-printed JSON with sorted keys and a final newline; identical
    /// summaries give identical text.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            // Unreachable: every value is a string, an integer, a finite double or null.
            return "{\"name\":\(SafetensorsHeader.quoted(name)),\"status\":\"failed\"}\n"
        }
    }

    /// Writes `json()` to `path` atomically.
    public func write(to path: String) throws(AtomicFileError) {
        try AtomicFile.write(json(), to: path)
    }

    /// `value`, or nil (JSON `null`) when it is NaN or infinite.
    private static func finite(_ value: Double) -> Double? {
        value.isFinite ? value : nil
    }

    /// `value` rounded to the shortest decimal that reads back as the same float32, or nil when
    /// not finite; a finite value beyond float32's range is kept as it is.
    private static func float32Rounded(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        let single = Float(value)
        guard single.isFinite, let rounded = Double(single.description) else { return value }
        return rounded
    }
}

/// Confusion matrices of one classifier over several splits.
public struct ConfusionMatrices: Codable, Sendable, Hashable {
    /// The class names, in the order of the matrices' rows and columns.
    public var classes: [String]
    /// By split name: `counts[true class][predicted class]`.
    public var splits: [String: [[Int]]]

    public init(classes: [String], splits: [String: [[Int]]]) {
        self.classes = classes
        self.splits = splits
    }

    /// The matrix as text: a header of predicted classes, a row per true class.
    public static func table(_ counts: [[Int]], classes: [String]) -> String {
        let names = counts.indices.map { $0 < classes.count ? classes[$0] : "\($0)" }
        let corner = "true \\ predicted"
        let label = max(names.map(\.count).max() ?? 1, corner.count)
        let width = max(names.map(\.count).max() ?? 1, counts.flatMap { $0 }.map { String($0).count }.max() ?? 1, 4)
        func cell(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines = [corner.padding(toLength: label + 2, withPad: " ", startingAt: 0) + names.map(cell).joined(separator: " ")]
        for (row, name) in names.enumerated() {
            lines.append(name.padding(toLength: label + 2, withPad: " ", startingAt: 0) + counts[row].map { cell(String($0)) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
