import DLCDiagnostics

/// A decoded spec: every section that decoded cleanly, with the range of its text.
///
/// A section that had errors is `nil` (or a layer is missing), so later checks skip it instead of
/// reporting a second error for the same root cause.
public struct Spec: Sendable {
    public var name: Located<String>?
    public var description: String?
    public var hyperparameters: [Hyperparameter] = []
    public var data: DataSpec?
    public var model: ModelSpec?
    public var loss: Located<LossSpec>?
    public var optimizer: Located<OptimizerSpec>?
    public var training: TrainingSpec?
    public var metrics: [Located<Metric>] = []
    public var sweep: SweepSpec?
    /// The range of each top-level key, for errors about a whole section.
    public var sectionKeyRanges: [String: SourceRange] = [:]
    /// Whether every section present decoded cleanly (no layer is missing from `model.layers`).
    public var isComplete = true

    public init() {}
}

/// A `hyperparameters` entry, possibly overridden with `--set`.
public struct Hyperparameter: Sendable {
    public var name: String
    public var value: YAMLScalar.Value
    /// Where the value was written in the spec.
    public var range: SourceRange
    /// The `--set NAME=VALUE` text that replaced the spec's value, if any.
    public var override: String?
    /// Where the name was written.
    public var nameRange: SourceRange

    public init(name: String, value: YAMLScalar.Value, range: SourceRange, nameRange: SourceRange? = nil, override: String? = nil) {
        self.name = name
        self.value = value
        self.range = range
        self.nameRange = nameRange ?? range
        self.override = override
    }
}

/// `model`: the input shape and the expanded list of layers.
public struct ModelSpec: Sendable {
    public var input: Located<[Int]>?
    public var layers: [LayerSpec]
    /// The range of the `layers` key, for errors about the list as a whole.
    public var layersRange: SourceRange
    /// Whether every layer decoded, so shapes can be inferred without guessing.
    public var isComplete: Bool
    /// `model.init: {checkpoint: PATH}`: every parameter whose layer name and shape match starts
    /// from the checkpoint's.
    public var initialWeights: CheckpointReference?
}

public enum Metric: String, Sendable, CaseIterable {
    case accuracy, precision, recall, f1, auc, mae, mse, rmse
}

public enum LossSpec: Sendable, Hashable {
    case mse
    case mae
    /// `balanced`: `class_weights: balanced`, each example weighted `n / (classes * count of its class)`.
    case crossEntropy(labelSmoothing: Double, balanced: Bool = false)
    case binaryCrossEntropy(balanced: Bool = false)

    public var name: String {
        switch self {
        case .mse: return "mse"
        case .mae: return "mae"
        case .crossEntropy: return "cross_entropy"
        case .binaryCrossEntropy: return "binary_cross_entropy"
        }
    }

    /// Whether the loss weights each example by its class (`class_weights: balanced`).
    public var isBalanced: Bool {
        switch self {
        case .crossEntropy(_, let balanced), .binaryCrossEntropy(let balanced): return balanced
        case .mse, .mae: return false
        }
    }

    /// Whether the loss compares classes rather than values.
    public var isClassification: Bool {
        switch self {
        case .crossEntropy, .binaryCrossEntropy: return true
        case .mse, .mae: return false
        }
    }
}

/// An optimizer with every option resolved to its value or PyTorch's default.
public struct OptimizerSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case sgd, adam, adamw, rmsprop
    }

    public var kind: Kind
    public var learningRate: Double
    public var momentum = 0.0
    public var nesterov = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var weightDecay = 0.0
    public var rho = 0.99
    public var centered = false

    public init(kind: Kind, learningRate: Double) {
        self.kind = kind
        self.learningRate = learningRate
    }
}

public struct TrainingSpec: Sendable {
    public var epochs: Located<Int>?
    public var batchSize: Located<Int>
    public var seed: Int
    public var earlyStopping: Located<EarlyStoppingSpec>?
    public var clipNorm: Double?
    public var schedule: Located<ScheduleSpec>?
}

public struct EarlyStoppingSpec: Sendable, Hashable {
    public var monitor: Located<String>
    public var patience: Int
    public var minDelta: Double
    public var restoreBest: Bool
}

public struct ScheduleSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case step(stepSize: Int, gamma: Double)
        case exponential(gamma: Double)
        case cosine(minimumLearningRate: Double)
    }

    public var kind: Kind
    public var warmupEpochs: Int
}
