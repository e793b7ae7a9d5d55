import ArgumentParser
import DLCCheck
import DLCRuntime
import Foundation

/// `init: {checkpoint: PATH}`: copies trained tensors into a new model's parameters before it
/// trains, the model's `init` first, then each layer's (a layer's own `init` wins for its tensors).
/// The checker has matched every name and shape against the file's header.
enum InitialWeights {
    /// Loads what the spec asks for into `parameters`; returns how many tensors were loaded.
    @discardableResult
    static func load(_ session: ModelSession, into parameters: ParameterStore) throws -> Int {
        let model = session.model
        var files: [String: [String: SafetensorsTensor]] = [:]
        func tensors(_ written: String) throws -> [String: SafetensorsTensor] {
            let path = written.hasPrefix("/") ? written : (session.result.baseDirectory as NSString).appendingPathComponent(written)
            if let cached = files[path] { return cached }
            do {
                let contents = try Safetensors.read(path: path)
                let byName = Dictionary(contents.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
                files[path] = byName
                return byName
            } catch {
                Console.error("error: cannot read the checkpoint `\(written)` to start from: \(error)\n")
                throw ExitCode(1)
            }
        }
        var loaded = 0
        func copy(_ tensor: SafetensorsTensor?, into name: String) throws {
            guard let tensor, let info = parameters.infos.first(where: { $0.name == name }) else { return }
            guard tensor.shape == info.shape, parameters.load(name: name, values: tensor.values) else {
                Console.error("error: `\(tensor.name)` is \(tensor.shape) in the checkpoint but `\(name)` is \(info.shape); "
                              + "the checkpoint changed since the check\n")
                throw ExitCode(1)
            }
            loaded += 1
        }
        let all = model.parameters
        if let reference = model.spec.model?.initialWeights {
            let byName = try tensors(reference.path.value)
            for parameter in all { try copy(byName[parameter.name], into: parameter.name) }
        }
        for (index, layer) in model.layers.enumerated() {
            guard let reference = layer.spec.initialWeights else { continue }
            let byName = try tensors(reference.path.value)
            let source = reference.layer?.value ?? layer.name
            for parameter in all where parameter.layer == index {
                let suffix = parameter.name.dropFirst(layer.name.count + 1)
                try copy(byName["\(source).\(suffix)"], into: parameter.name)
            }
        }
        return loaded
    }
}
