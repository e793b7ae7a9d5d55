import DLCDiagnostics

/// One layer of the expanded layer list.
public struct LayerSpec: Sendable {
    /// The expanded name: the given `name:` (inside `repeat`, with each enclosing iteration's index
    /// appended: `conv.1`), or `KIND_INDEX` with the layer's 0-based position in the expanded list.
    public var name: String
    public var kind: String
    public var config: LayerConfig
    /// The whole list item.
    public var range: SourceRange
    /// The kind's name in the text.
    public var kindRange: SourceRange
    /// The range of each option's value, for errors about one option.
    public var optionRanges: [String: SourceRange]
    /// The expanded names of the values this layer reads, in order: the item before it, or what
    /// `from:` names (`input` is the model's input). Resolved by the decoder, never empty.
    public var inputs: [String] = []
    /// Where each input was named (its `from:` entry), or the kind for an implicit input.
    public var inputRanges: [SourceRange] = []
    /// Set on the `add` that closes a `residual` block: its second input is the shortcut.
    public var residual: ResidualShortcut?
    /// `init: {checkpoint: PATH}`: this layer's parameters start from a trained model's.
    public var initialWeights: CheckpointReference?
    /// `trainable: false` freezes the layer's parameters (no gradient, no optimizer state).
    public var isTrainable = true

    public init(name: String, kind: String, config: LayerConfig, range: SourceRange, kindRange: SourceRange,
                optionRanges: [String: SourceRange], inputs: [String] = [], inputRanges: [SourceRange] = [],
                residual: ResidualShortcut? = nil) {
        self.name = name
        self.kind = kind
        self.config = config
        self.range = range
        self.kindRange = kindRange
        self.optionRanges = optionRanges
        self.inputs = inputs
        self.inputRanges = inputRanges
        self.residual = residual
    }

    /// The range that stands for the layer's name: its `name:` value, or its kind.
    public var nameRange: SourceRange { optionRanges["name"] ?? kindRange }
}

/// `init: {checkpoint: PATH, layer: NAME}`: trained weights to start from, matched by layer name
/// and shape.
public struct CheckpointReference: Sendable, Hashable {
    /// The safetensors file, as written (relative to the spec's folder).
    public var path: Located<String>
    /// The checkpoint's layer to take a layer's weights from (default: the layer's own name).
    public var layer: Located<String>?
    /// The whole `init` value.
    public var range: SourceRange

    public init(path: Located<String>, layer: Located<String>?, range: SourceRange) {
        self.path = path
        self.layer = layer
        self.range = range
    }
}

/// What a `residual` block does when its layers change the shape of their input.
public enum ResidualProjection: String, Sendable, CaseIterable {
    /// Insert a bias-free 1x1 convolution (images) or dense layer (vectors) on the shortcut.
    case auto
    /// A shape change is an error.
    case none
}

/// The shortcut of a `residual` block: `y = layers(x) + shortcut(x)`.
public struct ResidualShortcut: Sendable, Hashable {
    public var projection: ResidualProjection
    /// The `residual` key, for errors about the block as a whole.
    public var blockRange: SourceRange
    /// The `projection` value, when given.
    public var projectionRange: SourceRange?

    public init(projection: ResidualProjection, blockRange: SourceRange, projectionRange: SourceRange?) {
        self.projection = projection
        self.blockRange = blockRange
        self.projectionRange = projectionRange
    }
}

public enum Activation: String, Sendable, CaseIterable {
    case linear, relu, sigmoid, tanh, softmax
    case leakyReLU = "leaky_relu"
    case elu, gelu, silu
}

public enum Padding: String, Sendable, CaseIterable {
    case valid, same
}

/// A height and a width.
public struct Size2D: Sendable, Hashable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public var description: String { height == width ? "\(height)" : "[\(height), \(width)]" }
}

/// A window over a height x width x channels input: a kernel or a pooling window.
public struct WindowSpec: Sendable, Hashable {
    public var size: Size2D
    public var stride: Size2D
    public var padding: Padding

    public init(size: Size2D, stride: Size2D, padding: Padding) {
        self.size = size
        self.stride = stride
        self.padding = padding
    }
}

/// An `lstm` or `gru` layer's options.
public struct RecurrentLayer: Sendable, Hashable {
    public enum Cell: String, Sendable, Hashable {
        case lstm, gru
    }

    public var cell: Cell
    public var units: Int
    /// Outputs every step's state `[steps, units]`, rather than the last `[units]`.
    public var returnsSequences: Bool
    /// A second direction from the last step back; the outputs are concatenated (`2 * units`).
    public var bidirectional: Bool

    public init(cell: Cell, units: Int, returnsSequences: Bool, bidirectional: Bool) {
        self.cell = cell
        self.units = units
        self.returnsSequences = returnsSequences
        self.bidirectional = bidirectional
    }

    /// The features of one step's output.
    public var outputWidth: Int { bidirectional ? 2 * units : units }
}

/// A layer's kind with its resolved options.
public enum LayerConfig: Sendable, Hashable {
    case dense(units: Int, activation: Activation, useBias: Bool, initializer: String?)
    case dropout(rate: Double)
    /// An activation layer; `parameter` is leaky_relu's negative slope or elu's alpha.
    case activation(Activation, parameter: Double?)
    case flatten
    case conv2d(filters: Int, window: WindowSpec, activation: Activation, useBias: Bool, initializer: String?)
    case maxPool2D(WindowSpec)
    case avgPool2D(WindowSpec)
    /// `synchronized` (`sync: true`): a data-parallel run's ranks normalize with the whole
    /// batch's statistics rather than each its own part's.
    case batchNorm(momentum: Double, epsilon: Double, synchronized: Bool)
    case reshape(shape: [Int])
    /// Elementwise sum of two or more same-shaped inputs.
    case add
    /// Elementwise product of two or more same-shaped inputs.
    case multiply
    /// Inputs side by side along `axis` of the example (negative counts from the end).
    case concat(axis: Int)
    /// Mean over every axis but the last: `[h, w, c] -> [c]`.
    case globalAvgPool
    /// Maximum over every axis but the last.
    case globalMaxPool
    /// Normalizes the last axis of each example, with a learned scale and offset.
    case layerNorm(epsilon: Double)
    /// Token ids `[steps]` -> `[steps, dimension]`; `vocabulary` nil: the data's.
    case embedding(dimension: Int, vocabulary: Int?)
    /// 1-D convolution over `[steps, channels]`: the window's height is 1.
    case conv1d(filters: Int, window: WindowSpec, activation: Activation, useBias: Bool, initializer: String?)
    /// Maximum or mean over windows of steps.
    case maxPool1D(WindowSpec)
    case avgPool1D(WindowSpec)
    /// An LSTM or GRU over `[steps, features]`.
    case recurrent(RecurrentLayer)
    /// Multi-head self-attention over `[steps, dim]`.
    case attention(heads: Int, causal: Bool)
    /// A learned vector per step, added: `[steps, dim]` -> `[steps, dim]`.
    case positionalEmbedding

    /// Whether the layer merges several inputs (`from:` names two or more).
    public var isMerge: Bool {
        switch self {
        case .add, .multiply, .concat: return true
        case .dense, .dropout, .activation, .flatten, .conv2d, .maxPool2D, .avgPool2D, .batchNorm, .reshape,
             .globalAvgPool, .globalMaxPool, .layerNorm, .embedding, .conv1d, .maxPool1D, .avgPool1D, .recurrent, .attention, .positionalEmbedding:
            return false
        }
    }
}
