import ArgumentParser
import DLCCheck
import DLCData
import DLCRuntime
import Foundation

/// Loads a `model.safetensors` into a trainer's parameters, checking every name and shape.
enum CheckpointLoader {
    /// The checkpoint's normalizer, class names and encoding; exits 1 with a clear message on a mismatch.
    static func load(_ path: String, into parameters: ParameterStore, model: CheckedModel) throws -> CheckpointInfo {
        let contents: (tensors: [SafetensorsTensor], metadata: [String: String])
        do {
            contents = try Safetensors.read(path: path)
        } catch {
            Console.error("error: cannot read the checkpoint `\(path)`: \(error)\n")
            let folder = RunOutputs.parent(of: path)
            if FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(SavedTraining.fileName)) {
                Console.error("  note: `\(folder.isEmpty ? "." : folder)` holds an unfinished run (killed or still training); "
                              + "finish it with `dlc run SPEC --out \(folder.isEmpty ? "." : folder) --resume`\n")
            }
            throw ExitCode(1)
        }
        let byName = Dictionary(contents.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for info in parameters.infos {
            guard let tensor = byName[info.name] else {
                Console.error("error: the checkpoint `\(path)` has no tensor `\(info.name)`; was it trained from another spec?\n")
                throw ExitCode(1)
            }
            guard tensor.shape == info.shape, parameters.load(name: info.name, values: tensor.values) else {
                Console.error("error: `\(info.name)` in `\(path)` is shaped \(tensor.shape), but the spec's model needs \(info.shape)\n")
                throw ExitCode(1)
            }
        }
        let info = CheckpointMetadata.read(contents.metadata)
        if let problem = info.mismatch(with: model) {
            Console.error("error: the checkpoint `\(path)` does not fit this spec: \(problem); was it trained from another spec?\n")
            throw ExitCode(1)
        }
        return info
    }
}

extension CheckpointInfo {
    /// What in the metadata disagrees with `model` (a checkpoint of another spec, or edited):
    /// the encoding's width, the normalization's length, the number of classes.
    func mismatch(with model: CheckedModel) -> String? {
        if !malformed.isEmpty {
            return "its metadata \(malformed.map { "`\($0)`" }.joined(separator: ", ")) cannot be read"
        }
        let width = model.dataShape.reduce(1, *)
        if let encoding, encoding.dataWidth != width {
            return "its column encoding gives \(encoding.dataWidth) values per example, the model reads \(width)"
        }
        if normalizer.mode != .none, normalizer.offsets.count != width || normalizer.scales.count != width {
            return "its normalization has \(normalizer.offsets.count) offsets and \(normalizer.scales.count) scales for \(width) values per example"
        }
        if !classes.isEmpty, model.hasClassLabels, let units = model.outputShape.last, units > 1, classes.count != units {
            return "it names \(classes.count) classes, the model's output has \(units)"
        }
        return nil
    }
}
