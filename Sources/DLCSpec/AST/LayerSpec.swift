import DLCDiagnostics

/// One layer of the expanded layer list.
public struct LayerSpec: Sendable {
    /// The given `name:`, or `KIND_INDEX` with the layer's 0-based position in the expanded list.
    public var name: String
    public var kind: String
    public var config: LayerConfig
    /// The whole list item.
    public var range: SourceRange
    /// The kind's name in the text.
    public var kindRange: SourceRange
    /// The range of each option's value, for errors about one option.
    public var optionRanges: [String: SourceRange]
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
    case batchNorm(momentum: Double, epsilon: Double)
    case reshape(shape: [Int])
}
