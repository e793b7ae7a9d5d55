import DLCData
import DLCDiagnostics
import DLCSpec

/// A value a layer reads: the model's input or an earlier layer's output.
public enum LayerInput: Sendable, Hashable {
    case input
    /// The output of `CheckedModel.layers[index]`.
    case layer(Int)
    /// One of several inputs: a text column's ids, or `features` (`CheckedModel.namedInputs`).
    case named(String)
}

/// One layer with its inferred output shape and parameter count.
public struct CheckedLayer: Sendable {
    public var name: String
    public var kind: String
    /// What it reads, in order; every layer index is smaller than the layer's own.
    public var inputs: [LayerInput]
    /// The output shape of one example, without the batch dimension.
    public var outputShape: [Int]
    /// Trainable parameters.
    public var parameterCount: Int
    /// Non-trainable state saved with the model (batchnorm's running statistics).
    public var stateCount: Int
    public var spec: LayerSpec
}

/// A spec whose every shape and compatibility rule holds.
public struct CheckedModel: Sendable {
    public var spec: Spec
    public var inputShape: [Int]
    public var layers: [CheckedLayer]
    /// The training data's metadata; `nil` when data was not read (`--no-data`) or not given.
    public var trainingData: DatasetMetadata?
    public var parameterCount: Int {
        layers.reduce(0) { $0 + $1.parameterCount } + (encoding?.embeddings.reduce(0) { $0 + $1.rows * $1.dimension } ?? 0)
    }
    public var stateCount: Int { layers.reduce(0) { $0 + $1.stateCount } }
    /// An estimate of the memory a training step needs, in bytes.
    public var trainingMemoryBytes: Int
    /// A CSV source's fitted encoding (from the checker's reading of the data); nil without one.
    public var encoding: FeatureEncoding?
    /// The model's inputs by name when it has several (`FeatureEncoding.namedInputs`).
    public var namedInputs: [String: [Int]] { encoding?.namedInputs ?? [:] }

    /// The shape of one example as the data holds it: `inputShape`, except that an embedded
    /// column is one id there and `dimension` values in `inputShape`.
    public var dataShape: [Int] {
        guard let encoding, !encoding.embeddings.isEmpty || !encoding.namedInputs.isEmpty else { return inputShape }
        return [encoding.dataWidth]
    }
    public var outputShape: [Int] { layers.last?.outputShape ?? inputShape }

    /// The shape of one example of `value`.
    public func shape(of value: LayerInput) -> [Int] {
        switch value {
        case .input: return inputShape
        case .layer(let index): return layers[index].outputShape
        case .named(let name): return namedInputs[name] ?? inputShape
        }
    }

    /// The name of `value`: `input` or the layer's expanded name.
    public func name(of value: LayerInput) -> String {
        switch value {
        case .input: return "input"
        case .layer(let index): return layers[index].name
        case .named(let name): return name
        }
    }

    /// For every layer, the indices of the layers that read it.
    public func readers() -> [[Int]] {
        var readers = [[Int]](repeating: [], count: layers.count)
        for (index, layer) in layers.enumerated() {
            for case .layer(let source) in layer.inputs { readers[source].append(index) }
        }
        return readers
    }
}

/// The outcome of checking one file.
public struct CheckResult: Sendable {
    public var file: SourceFile
    /// Sorted by position.
    public var diagnostics: [Diagnostic]
    /// Present when the spec has no errors.
    public var model: CheckedModel?
    /// The folder relative data paths start from.
    public var baseDirectory: String
    /// The CSV tables the checker read, by option (`train`, `validation`, `test`), so that
    /// `run` does not read a large file twice.
    public var tables: [String: RawTable] = [:]

    public var hasErrors: Bool { diagnostics.containsErrors }
}
