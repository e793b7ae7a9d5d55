import DLCCheck
import DLCData
import DLCRuntime
import DLCSpec
import Foundation

/// The files of a run folder, each written atomically, `summary.json` last: a folder is a
/// finished run only when its `summary.json` says so, and a run killed or failing at any moment
/// leaves no summary of its own next to files of another run.
struct RunOutputs {
    let directory: String

    /// What a run writes, in the order it writes them.
    static let files = ["model.safetensors", "metrics.csv", "spec.yaml", "summary.json"]

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// Why the folder could not be made or written, from its nearest existing ancestor; nil when it can.
    var unwritableReason: String? {
        var path = (directory as NSString).standardizingPath
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            // (Foundation's `deletingLastPathComponent` traps on a one-letter relative path here.)
            let parent = Self.parent(of: path)
            if parent == path || parent.isEmpty { path = "."; break }
            path = parent
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return "`\(path)` is a file, not a folder" }
        guard access(path, W_OK | X_OK) == 0 else {
            return "`\(path)` is not writable (\(String(cString: strerror(errno))))"
        }
        return nil
    }

    /// `path` without its last component: `a/b` -> `a`, `/a` -> `/`, `a` -> empty.
    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// Creates the folder and removes an earlier run's files (and temporary files a killed
    /// write left), so that nothing in it is mistaken for this run's; the saved training state
    /// too, unless this run resumes from it.
    func prepare(keepingTrainingState: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let reason = unwritableReason {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: directory, NSLocalizedDescriptionKey: reason])
        }
        discard()
        if !keepingTrainingState { removeTrainingState() }
    }

    /// Removes the saved training state (and a temporary file of it a killed write left).
    func removeTrainingState() {
        try? FileManager.default.removeItem(atPath: path(SavedTraining.fileName))
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasPrefix(".\(SavedTraining.fileName).tmp-")
        }
        for name in leftovers { try? FileManager.default.removeItem(atPath: path(name)) }
    }

    /// Removes this folder's run files and any `.NAME.tmp-PID` left by an interrupted write.
    func discard() {
        let manager = FileManager.default
        // The summary first: a kill while removing must not leave an old summary over fewer files.
        for name in Self.files.reversed() + ["report.html"] { try? manager.removeItem(atPath: path(name)) }
        let leftovers = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).filter { name in
            Self.files.contains { name.hasPrefix(".\($0).tmp-") }
        }
        for name in leftovers { try? manager.removeItem(atPath: path(name)) }
    }

    /// Writes a finished run: checkpoint, metrics and resolved spec, then the summary. On any
    /// error (a full disk, say) removes what it wrote and leaves a summary that says the run
    /// failed when even that fits, then rethrows.
    func write(_ summary: RunSummary, checkpoint parameters: ParameterStore, epochs: [EpochReport], metrics: [String],
               session: ModelSession, data: LoadedData) throws {
        do {
            try writeCheckpoint(parameters, session: session, data: data)
            try writeMetrics(epochs, metrics: metrics, hasValidation: data.validation != nil)
            try writeResolvedSpec(session)
            try summary.write(to: path("summary.json"))
        } catch {
            writeFailed(summary, message: "cannot write the run: \(error)")
            throw error
        }
    }

    /// Replaces whatever this run wrote with a `failed` summary carrying `message`.
    func writeFailed(_ summary: RunSummary, message: String) {
        discard()
        var failed = summary
        failed.status = .failed
        failed.message = message
        try? failed.write(to: path("summary.json"))
    }

    /// `model.safetensors`: every parameter by name, with the normalization and class names in the metadata.
    func writeCheckpoint(_ parameters: ParameterStore, session: ModelSession, data: LoadedData) throws {
        let tensors = zip(parameters.infos, parameters.tensors).map { info, tensor in
            SafetensorsTensor(name: info.name, shape: info.shape, values: Array(tensor))
        }
        try Safetensors.write(tensors, metadata: CheckpointMetadata.make(session: session, data: data), to: path("model.safetensors"))
    }

    /// `metrics.csv`: one row per epoch, with no timings, so the same spec, seed and threads give the same bytes.
    func writeMetrics(_ reports: [EpochReport], metrics: [String], hasValidation: Bool) throws {
        var columns = ["epoch", "train_loss"] + metrics.map { "train_\($0)" }
        if hasValidation { columns += ["val_loss"] + metrics.map { "val_\($0)" } }
        columns += ["learning_rate"]
        var log = MetricsLog(columns: columns)
        for report in reports {
            var row: [String: Double] = ["epoch": Double(report.epoch), "train_loss": report.train.loss,
                                         "learning_rate": Double(report.learningRate)]
            for (name, value) in report.train.metrics { row["train_\(name)"] = value }
            if let validation = report.validation {
                row["val_loss"] = validation.loss
                for (name, value) in validation.metrics { row["val_\(name)"] = value }
            }
            log.append(row)
        }
        try log.write(to: path("metrics.csv"))
    }

    /// `spec.yaml`: the spec as run, with `--set` overrides written into its `hyperparameters`.
    func writeResolvedSpec(_ session: ModelSession) throws {
        try AtomicFile.write(Self.resolvedSpec(session), to: path("spec.yaml"))
    }

    /// The spec's text with `--set` overrides written into its `hyperparameters`.
    static func resolvedSpec(_ session: ModelSession) -> String {
        var lines = session.result.file.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for hyperparameter in session.spec.hyperparameters.sorted(by: { $0.range.start > $1.range.start }) {
            guard let override = hyperparameter.override, hyperparameter.range.start.line == hyperparameter.range.end.line,
                  hyperparameter.range.start.line <= lines.count else { continue }
            var scalars = Array(lines[hyperparameter.range.start.line - 1].unicodeScalars)
            let start = hyperparameter.range.start.column - 1, end = min(hyperparameter.range.end.column - 1, scalars.count)
            guard start <= end else { continue }
            scalars.replaceSubrange(start..<end, with: override.unicodeScalars)
            lines[hyperparameter.range.start.line - 1] = String(String.UnicodeScalarView(scalars))
        }
        return lines.joined(separator: "\n")
    }
}

/// What a checkpoint says about the data besides its tensors.
struct CheckpointInfo {
    var normalizer: Normalizer
    var classes: [String]
    /// How CSV columns are encoded (nil in checkpoints of IDX and builtin sets, and of dlc before typed columns).
    var encoding: FeatureEncoding?
    /// Metadata keys present but unreadable (an edited or damaged checkpoint).
    var malformed: [String] = []
}

/// What a checkpoint carries besides its tensors, as safetensors string metadata.
enum CheckpointMetadata {
    static func make(session: ModelSession, data: LoadedData) -> [String: String] {
        var metadata = [
            "format": "dlc-1",
            "name": session.name,
            "input_shape": json(session.model.inputShape),
            "normalize": data.normalizer.mode.rawValue,
            "normalize_offsets": json(data.normalizer.offsets.map(Double.init)),
            "normalize_scales": json(data.normalizer.scales.map(Double.init)),
        ]
        if !data.train.classNames.isEmpty { metadata["classes"] = json(data.train.classNames) }
        if let encoding = data.encoding { metadata["encoding"] = json(encoding) }
        return metadata
    }

    /// Reads the normalizer, class names and column encoding back; a key that is present but
    /// does not read is listed in `malformed` (absent keys take their defaults).
    static func read(_ metadata: [String: String]) -> CheckpointInfo {
        var malformed: [String] = []
        func field<T: Decodable>(_ key: String) -> T? {
            guard let text = metadata[key] else { return nil }
            guard let value: T = decode(text) else {
                malformed.append(key)
                return nil
            }
            return value
        }
        let offsets = (field("normalize_offsets") as [Double]?)?.map(Float.init) ?? []
        let scales = (field("normalize_scales") as [Double]?)?.map(Float.init) ?? []
        var mode = Normalizer.Mode.none
        if let text = metadata["normalize"] {
            if let known = Normalizer.Mode(rawValue: text) { mode = known } else { malformed.append("normalize") }
        }
        let classes: [String] = field("classes") ?? []
        let encoding: FeatureEncoding? = field("encoding")
        return CheckpointInfo(normalizer: Normalizer(mode: mode, offsets: offsets, scales: scales), classes: classes,
                              encoding: encoding, malformed: malformed)
    }

    /// Sorted keys: the same run writes the same bytes (a Swift dictionary's order changes per process).
    private static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    private static func decode<T: Decodable>(_ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
