extension Op {
    /// The output shape from the operands' shapes. Sources have no rule: their shape is given.
    public func outputShape(in graph: Graph) -> [Int] {
        let shape = { (value: ValueID) in graph.nodes[value].shape }
        switch self {
        case .features, .labels, .targets, .parameter, .dropoutMask, .reshape:
            preconditionFailure("internal: \(self) needs an explicit shape")
        case .matmul(let a, let b):
            return [shape(a)[0], shape(b)[1]]                       // [n, k] x [k, m] -> [n, m]
        case .addBias(let x, _), .activation(let x, _), .biasActivation(let x, _, _), .softmax(let x):
            return shape(x)
        case .multiply(let a, _), .add(let a, _):
            return shape(a)
        case .oneHot(let labels, let classes):
            return [shape(labels)[0], classes]
        case .loss:
            return [1]
        case .lossGradient(_, let prediction, _):
            return shape(prediction)
        case .matmulGradientLeft(let dy, let right):
            return [shape(dy)[0], shape(right)[0]]                  // dy [n, m] x b^T [m, k] -> [n, k]
        case .matmulGradientRight(let left, let dy):
            return [shape(left)[1], shape(dy)[1]]                   // a^T [k, n] x dy [n, m] -> [k, m]
        case .sumToLastAxis(let x):
            return [shape(x).last ?? 1]
        case .activationGradient(let x, _, _):
            return shape(x)
        case .activationGradientFromOutput(let y, _, _), .softmaxGradient(let y, _):
            return shape(y)
        }
    }

    /// The op's name in printed IR.
    public var name: String {
        switch self {
        case .features: return "features"
        case .labels: return "labels"
        case .targets: return "targets"
        case .parameter: return "parameter"
        case .dropoutMask: return "dropout_mask"
        case .matmul: return "matmul"
        case .addBias: return "add_bias"
        case .activation: return "activation"
        case .biasActivation: return "bias_activation"
        case .softmax: return "softmax"
        case .multiply: return "multiply"
        case .reshape: return "reshape"
        case .oneHot: return "one_hot"
        case .loss: return "loss"
        case .lossGradient: return "loss_gradient"
        case .matmulGradientLeft: return "matmul_gradient_left"
        case .matmulGradientRight: return "matmul_gradient_right"
        case .sumToLastAxis: return "sum_to_last_axis"
        case .activationGradient: return "activation_gradient"
        case .activationGradientFromOutput: return "activation_gradient_from_output"
        case .softmaxGradient: return "softmax_gradient"
        case .add: return "add"
        }
    }

    /// The op's attributes in printed IR, such as `relu` or `rate: 0.2`.
    public var attributes: String {
        switch self {
        case .parameter(let index): return "#\(index)"
        case .dropoutMask(let rate, let stream): return "rate: \(rate), stream: \(stream)"
        case .activation(_, let f), .biasActivation(_, _, let f), .activationGradient(_, _, let f), .activationGradientFromOutput(_, _, let f):
            return f.description
        case .oneHot(_, let classes): return "classes: \(classes)"
        case .loss(let kind, _, _), .lossGradient(let kind, _, _): return kind.description
        case .features, .labels, .targets, .matmul, .addBias, .softmax, .multiply, .reshape, .matmulGradientLeft,
             .matmulGradientRight, .sumToLastAxis, .softmaxGradient, .add:
            return ""
        }
    }
}
