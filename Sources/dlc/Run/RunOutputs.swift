import DLCCheck
import DLCData
import DLCRuntime
import DLCSpec
import Foundation

/// The files of a run folder, each written atomically.
struct RunOutputs {
    let directory: String

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
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
        try AtomicFile.write(lines.joined(separator: "\n"), to: path("spec.yaml"))
    }
}

/// What a checkpoint says about the data besides its tensors.
struct CheckpointInfo {
    var normalizer: Normalizer
    var classes: [String]
    /// How CSV columns are encoded (nil in checkpoints of IDX and builtin sets, and of dlc before typed columns).
    var encoding: FeatureEncoding?
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

    /// Reads the normalizer, class names and column encoding back.
    static func read(_ metadata: [String: String]) -> CheckpointInfo {
        let offsets = (decode(metadata["normalize_offsets"]) as [Double]?)?.map(Float.init) ?? []
        let scales = (decode(metadata["normalize_scales"]) as [Double]?)?.map(Float.init) ?? []
        let mode = Normalizer.Mode(rawValue: metadata["normalize"] ?? "none") ?? .none
        return CheckpointInfo(normalizer: Normalizer(mode: mode, offsets: offsets, scales: scales), classes: decode(metadata["classes"]) ?? [],
                              encoding: decode(metadata["encoding"]))
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    private static func decode<T: Decodable>(_ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
