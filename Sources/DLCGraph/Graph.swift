/// A trainable tensor: its name in checkpoints, shape and initializer.
public struct ParameterInfo: Sendable, Hashable {
    /// `LAYER.weight`, `LAYER.bias`, ...
    public var name: String
    public var shape: [Int]
    /// `he_uniform`, `glorot_uniform`, `zeros`, ... (the runtime maps the name to its kernel).
    public var initializer: String
    public var fanIn: Int
    public var fanOut: Int
    /// False for state the optimizer does not update (batchnorm's running statistics).
    public var isTrainable: Bool

    /// The checkpoint name of the `[classes]` weights a `class_weights: balanced` loss reads
    /// (not trained: the trainer sets them from the training split's class counts).
    public static let classWeightsName = "loss.class_weights"

    public init(name: String, shape: [Int], initializer: String, fanIn: Int, fanOut: Int, isTrainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
        self.fanIn = fanIn
        self.fanOut = fanOut
        self.isTrainable = isTrainable
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// One value of the graph: the op that computes it and its static shape.
public struct Node: Sendable, Hashable {
    public var op: Op
    public var shape: [Int]
    /// The layer (or pass) the node came from, for printing and per-op timing.
    public var label: String

    public init(op: Op, shape: [Int], label: String) {
        self.op = op
        self.shape = shape
        self.label = label
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// The graph IR: nodes in execution order (every operand comes before its user), the trainable
/// parameters, and the values the runtime reads after running it.
public struct Graph: Sendable, Hashable {
    public var nodes: [Node] = []
    public var parameters: [ParameterInfo] = []
    /// The batch size the shapes were made for.
    public var batchSize: Int
    /// The model's output (probabilities, logits or values).
    public var prediction: ValueID?
    /// Whether `prediction` holds logits (after the fuse pass) rather than probabilities.
    public var predictionIsLogits = false
    /// The scalar mean loss, in training and evaluation graphs.
    public var loss: ValueID?
    /// `gradients[i]` is d(loss)/d(the i-th trainable parameter), after the differentiate pass.
    public var gradients: [ValueID] = []

    /// The indices of the trainable parameters, in order: `gradients` follows them.
    public var trainableParameters: [Int] { parameters.indices.filter { parameters[$0].isTrainable } }

    public init(batchSize: Int) {
        self.batchSize = batchSize
    }

    /// Appends a node and returns its value.
    @discardableResult
    public mutating func add(_ op: Op, shape: [Int], label: String) -> ValueID {
        nodes.append(Node(op: op, shape: shape, label: label))
        return nodes.count - 1
    }

    /// Appends a node whose shape follows from its operands by `Op.outputShape`.
    @discardableResult
    public mutating func add(_ op: Op, label: String) -> ValueID {
        add(op, shape: op.outputShape(in: self), label: label)
    }

    public func shape(of value: ValueID) -> [Int] { nodes[value].shape }

    /// Adds a trainable parameter and the node that reads it.
    public mutating func addParameter(_ info: ParameterInfo, label: String) -> ValueID {
        parameters.append(info)
        return add(.parameter(index: parameters.count - 1), shape: info.shape, label: label)
    }

    /// The values the runtime reads after a run: loss, prediction and gradients.
    public var outputs: [ValueID] {
        [loss, prediction].compactMap { $0 } + gradients
    }

    /// For every value, the nodes that read it.
    public func users() -> [[ValueID]] {
        var users = [[ValueID]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for operand in node.op.operands { users[operand].append(index) }
        }
        return users
    }
}
