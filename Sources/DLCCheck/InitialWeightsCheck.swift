import DLCDiagnostics
import DLCSpec
import Foundation

/// What the checker reads of a checkpoint: its tensors' names and shapes.
public struct CheckpointContents: Sendable {
    public var shapes: [String: [Int]]

    public init(shapes: [String: [Int]]) {
        self.shapes = shapes
    }
}

/// `init: {checkpoint: PATH}` on the model and on layers, and `trainable: false`: the checkpoint
/// is read (its header) and every tensor it gives must match the model's by name and shape.
struct InitialWeightsCheck {
    let model: CheckedModel
    let options: CheckOptions
    let baseDirectory: String
    var diagnostics: [Diagnostic] = []
    private var read: [String: Result<CheckpointContents, CheckpointReadFailure>] = [:]

    init(model: CheckedModel, options: CheckOptions, baseDirectory: String) {
        self.model = model
        self.options = options
        self.baseDirectory = baseDirectory
    }

    mutating func run() {
        checkFrozen()
        let parameters = model.parameters
        for (index, layer) in model.layers.enumerated() {
            guard let reference = layer.spec.initialWeights else { continue }
            // Only layers with parameters take `init` (the decoder knows which).
            let own = parameters.filter { $0.layer == index }
            guard !own.isEmpty, let contents = contents(reference) else { continue }
            checkLayer(layer.name, own, reference: reference, contents: contents)
        }
        if let reference = model.spec.model?.initialWeights, let contents = contents(reference) {
            checkModel(parameters, reference: reference, contents: contents)
        }
    }

    /// `trainable` on a layer without parameters, and a model where nothing is left to train.
    private mutating func checkFrozen() {
        let frozen = model.layers.filter { !$0.spec.isTrainable }
        for layer in frozen where layer.parameterCount == 0 {
            diagnostics.append(.warning("nothing-to-freeze", "`\(layer.name)` has no parameters to freeze",
                                        at: layer.spec.optionRanges["trainable"] ?? layer.spec.nameRange,
                                        help: ["remove `trainable: false` here"]))
        }
        if !frozen.isEmpty, model.parameterCount - model.frozenParameterCount == 0 {
            diagnostics.append(.warning("everything-frozen", "every layer with parameters is frozen: training will not change the model",
                                        at: frozen[0].spec.optionRanges["trainable"] ?? frozen[0].spec.nameRange,
                                        help: ["leave at least one layer trainable (the last, say, to fine-tune a new head)"]))
        }
    }

    /// The checkpoint's names and shapes (read once per path), or nil after an error at its path.
    private mutating func contents(_ reference: CheckpointReference) -> CheckpointContents? {
        guard let reader = options.readCheckpoint else { return nil }
        let written = reference.path.value
        let path = written.hasPrefix("/") ? written : (baseDirectory as NSString).appendingPathComponent(written)
        let result = read[path] ?? Result { () throws(CheckpointReadFailure) in
            do { return try reader(path) } catch { throw CheckpointReadFailure(reason: "\(error)") }
        }
        read[path] = result
        switch result {
        case .success(let contents): return contents
        case .failure(let failure):
            diagnostics.append(.error("unreadable-checkpoint", "cannot read the checkpoint `\(written)`: \(failure.reason)",
                                      at: reference.path.range, help: ["name a `model.safetensors` written by `dlc run`"]))
            return nil
        }
    }

    /// A layer's `init`: each of its tensors must be in the checkpoint, under its own layer name
    /// or `layer:`, with its shape.
    private mutating func checkLayer(_ name: String, _ own: [ModelParameter], reference: CheckpointReference, contents: CheckpointContents) {
        let source = reference.layer?.value ?? name
        let suffixes = own.map { String($0.name.dropFirst(name.count + 1)) }
        let missing = suffixes.filter { contents.shapes["\(source).\($0)"] == nil }
        if missing.count == suffixes.count {
            let layers = Self.layerNames(contents)
            let help = Vocabulary.didYouMean(source, among: layers)
                ?? "its layers are " + layers.prefix(12).map { "`\($0)`" }.joined(separator: ", ") + (layers.count > 12 ? ", ..." : "")
            diagnostics.append(.error("checkpoint-mismatch", "the checkpoint `\(reference.path.value)` has no layer `\(source)`",
                                      at: reference.layer?.range ?? reference.path.range,
                                      help: [help, "name the checkpoint's layer with `init: {checkpoint: ..., layer: NAME}`"]))
            return
        }
        var differences: [String] = missing.map { "`\(source).\($0)` is not in the checkpoint" }
        for (parameter, suffix) in zip(own, suffixes) {
            guard let shape = contents.shapes["\(source).\(suffix)"], shape != parameter.shape else { continue }
            differences.append("`\(source).\(suffix)` is \(ShapeArithmetic.format(shape)) in the checkpoint, "
                               + "\(ShapeArithmetic.format(parameter.shape)) in `\(name)`")
        }
        guard !differences.isEmpty else { return }
        diagnostics.append(Diagnostic.error("checkpoint-mismatch", "`\(name)` does not match `\(source)` of the checkpoint `\(reference.path.value)`",
                                            at: reference.range, help: ["start this layer from its initializer (remove `init`), or give it the checkpoint layer's shape"],
                                            notes: differences.map { DiagnosticNote($0) }))
    }

    /// The model's `init`: every tensor whose name is in the checkpoint must have its shape; at
    /// least one must be there.
    private mutating func checkModel(_ parameters: [ModelParameter], reference: CheckpointReference, contents: CheckpointContents) {
        let fromLayers = Set(model.layers.indices.filter { model.layers[$0].spec.initialWeights != nil })
        let candidates = parameters.filter { $0.layer.map { !fromLayers.contains($0) } ?? true }
        var differences: [String] = []
        var matched = 0
        for parameter in candidates {
            guard let shape = contents.shapes[parameter.name] else { continue }
            if shape == parameter.shape {
                matched += 1
            } else {
                differences.append("`\(parameter.name)` is \(ShapeArithmetic.format(shape)) in the checkpoint, "
                                   + "\(ShapeArithmetic.format(parameter.shape)) here")
            }
        }
        if !differences.isEmpty {
            diagnostics.append(Diagnostic.error("checkpoint-mismatch", "the checkpoint `\(reference.path.value)` does not fit this model: "
                                                    + "\(differences.count) tensor\(differences.count == 1 ? "" : "s") of the same name differ in shape",
                                                at: reference.path.range,
                                                help: ["rename the layers that changed (they then start from their initializers), or keep their shapes"],
                                                notes: differences.map { DiagnosticNote($0) }))
        } else if matched == 0, !candidates.isEmpty {
            let layers = Self.layerNames(contents)
            diagnostics.append(.error("checkpoint-mismatch", "no layer of this model is in the checkpoint `\(reference.path.value)`",
                                      at: reference.path.range,
                                      help: ["the checkpoint's layers are " + layers.prefix(12).map { "`\($0)`" }.joined(separator: ", ")
                                                 + (layers.count > 12 ? ", ..." : "") + "; name this model's layers the same to start from them"]))
        }
    }

    /// The layer names of a checkpoint's tensors (`conv1` of `conv1.weight`), in order.
    static func layerNames(_ contents: CheckpointContents) -> [String] {
        var seen: Set<String> = []
        var names: [String] = []
        for name in contents.shapes.keys.sorted() {
            guard let dot = name.lastIndex(of: ".") else { continue }
            let layer = String(name[..<dot])
            if seen.insert(layer).inserted { names.append(layer) }
        }
        return names
    }
}

/// Why a checkpoint could not be read, as the reader said.
struct CheckpointReadFailure: Error {
    var reason: String
}
