/// An elementwise activation function (softmax is an op of its own: it mixes a row).
public enum ActivationKind: String, Sendable, CaseIterable, Hashable {
    case linear, relu, sigmoid, tanh
    case leakyReLU = "leaky_relu"
    case elu, gelu, silu
}

/// An activation with its parameter: leaky_relu's negative slope, elu's alpha (unused otherwise).
public struct ActivationFunction: Sendable, Hashable, CustomStringConvertible {
    public var kind: ActivationKind
    public var parameter: Float

    public init(_ kind: ActivationKind, parameter: Float = 0) {
        self.kind = kind
        self.parameter = parameter
    }

    public var description: String {
        switch kind {
        case .leakyReLU, .elu: return "\(kind.rawValue)(\(parameter))"
        default: return kind.rawValue
        }
    }
}
