import ArgumentParser
import DLCData
import DLCRuntime
import Foundation

/// Loads a `model.safetensors` into a trainer's parameters, checking every name and shape.
enum CheckpointLoader {
    /// The checkpoint's normalizer, class names and encoding; exits 1 with a clear message on a mismatch.
    static func load(_ path: String, into parameters: ParameterStore) throws -> CheckpointInfo {
        let contents: (tensors: [SafetensorsTensor], metadata: [String: String])
        do {
            contents = try Safetensors.read(path: path)
        } catch {
            Console.error("error: cannot read the checkpoint `\(path)`: \(error)\n")
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
        return CheckpointMetadata.read(contents.metadata)
    }
}
