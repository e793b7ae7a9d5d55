import DLCGraph

/// Turns an inference graph into ONNX nodes, one dlc op at a time (one exhaustive `switch`).
///
/// Every dlc value has an ONNX name in dlc's own layout (`native`: NHWC for images) and, for a
/// rank-4 value that a channels-first op made or needed, an NCHW name: `nhwc` and `nchw` return
/// the one asked for, adding a `Transpose` the first time only.
struct ONNXLowering {
    let model: ONNXExportModel
    var builder: ONNXGraphBuilder
    /// What the model's inputs are, in a sentence (for the doc string and metadata).
    var inputDescription = ""
    var native: [ValueID: String] = [:]
    private var channelsFirst: [ValueID: String] = [:]
    private var parameterNames: [ValueID: String] = [:]
    /// Each `[batch, steps, 1, ...]` mask of the steps before a lengths value's lengths, by lengths, steps and rank.
    var stepMasks: [String: String] = [:]
    /// Each lengths value as a `[batch, 1]` column, and as int32 `sequence_lens`.
    var lengthColumns: [ValueID: String] = [:]
    var sequenceLens: [ValueID: String] = [:]
    /// Each recurrent input `[batch, steps, inputs]` as time-major `[steps, batch, inputs]`.
    var timeMajor: [ValueID: String] = [:]
    /// Bidirectional layers: a concat of a forward and a reverse direction that nothing else reads,
    /// lowered at the concat as one ONNX op; `fusedDirections` are those directions.
    var bidirectional: [ValueID: (forward: ValueID, reverse: ValueID)] = [:]
    var fusedDirections: Set<ValueID> = []
    /// Each attention's bool mask of the keys a query reads (`[batch, 1, 1, steps]`, `[steps, steps]`
    /// or `[batch, 1, steps, steps]`), by lengths, steps and causality.
    var attentionMasks: [String: String] = [:]

    init(model: ONNXExportModel) {
        self.model = model
        builder = ONNXGraphBuilder(name: model.name)
    }

    var graph: Graph { model.graph }

    mutating func lowerGraph() throws(ONNXExportError) {
        builder.reserve(reservedNames)
        findBidirectionalLayers()
        for index in graph.nodes.indices { try lower(index) }
        try addOutputs()
    }

    private func label(_ value: ValueID) -> String { graph.nodes[value].label }

    // MARK: Layouts

    /// The value in dlc's layout.
    mutating func nhwc(_ value: ValueID) -> String {
        if let name = native[value] { return name }
        if channelsFirst[value] == nil, parameterIndex(value) != nil, let name = try? parameter(value) {
            // A parameter, or a view of one (a conv1d's kernel), read as a value: its values in this shape.
            native[value] = name
            return name
        }
        guard let first = channelsFirst[value] else { preconditionFailure("internal: %\(value) was not lowered") }
        let name = builder.node("Transpose", [first], name: label(value) + "_nhwc", attributes: [Attribute.ints("perm", [0, 2, 3, 1])])
        native[value] = name
        return name
    }

    /// A rank-4 value as NCHW.
    mutating func nchw(_ value: ValueID) -> String {
        if let name = channelsFirst[value] { return name }
        precondition(graph.shape(of: value).count == 4, "internal: an NCHW copy of a rank-\(graph.shape(of: value).count) value")
        let name = builder.node("Transpose", [nhwc(value)], name: label(value) + "_nchw", attributes: [Attribute.ints("perm", [0, 3, 1, 2])])
        channelsFirst[value] = name
        return name
    }

    /// Whether elementwise work on `values` runs on their NCHW copies (all rank 4, all at hand).
    private func prefersChannelsFirst(_ values: [ValueID]) -> Bool {
        values.allSatisfy { graph.shape(of: $0).count == 4 && channelsFirst[$0] != nil }
    }

    /// Operands' names in one layout, and a function recording a result in that layout.
    private mutating func elementwise(_ values: [ValueID]) -> (names: [String], channelsFirst: Bool) {
        if prefersChannelsFirst(values) { return (values.map { nchw($0) }, true) }
        return (values.map { nhwc($0) }, false)
    }

    private mutating func record(_ value: ValueID, _ name: String, channelsFirst isChannelsFirst: Bool) {
        if isChannelsFirst { channelsFirst[value] = name } else { native[value] = name }
    }

    // MARK: Parameters

    /// A parameter's values as an initializer named after it, in the shape of `value`: the parameter,
    /// or a view of one (a conv1d's kernel, a positional embedding's table as one bias).
    mutating func parameter(_ value: ValueID) throws(ONNXExportError) -> String {
        if let name = parameterNames[value] { return name }
        let (index, shape) = try parameterSource(value)
        let name = builder.initializer(graph.parameters[index].name, shape: shape, values: model.parameters[index])
        parameterNames[value] = name
        return name
    }

    /// The index of the parameter `value` is, or a reshape of one is (a conv1d's kernel).
    func parameterIndex(_ value: ValueID) -> Int? {
        var source = value
        while case .reshape(let inner) = graph.nodes[source].op { source = inner }
        guard case .parameter(let index) = graph.nodes[source].op else { return nil }
        return index
    }

    /// The parameter `value` is, or a reshape of one is: its index, in `value`'s shape.
    func parameterSource(_ value: ValueID) throws(ONNXExportError) -> (index: Int, shape: [Int]) {
        guard let index = parameterIndex(value) else {
            throw .notInference("a computed value (%\(value)) where a weight was expected")
        }
        let shape = graph.shape(of: value)
        guard shape.reduce(1, *) == graph.parameters[index].elementCount else {
            throw .parameters("%\(value) is shaped \(shape), its parameter `\(graph.parameters[index].name)` has \(graph.parameters[index].elementCount) values")
        }
        return (index, shape)
    }

    /// The parameter's values (or a reshape's of one) in `value`'s shape, permuted by `permutation` of its axes.
    private mutating func parameter(_ value: ValueID, permuted permutation: [Int], suffix: String) throws(ONNXExportError) -> String {
        let (index, shape) = try parameterSource(value)
        let (permutedShape, values) = Self.permute(model.parameters[index], shape: shape, permutation)
        return builder.initializer(graph.parameters[index].name + suffix, shape: permutedShape, values: values)
    }

    /// `values` in row-major `shape`, with its axes reordered: output axis `i` is input axis `permutation[i]`.
    static func permute(_ values: [Float], shape: [Int], _ permutation: [Int]) -> (shape: [Int], values: [Float]) {
        let outputShape = permutation.map { shape[$0] }
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        var output = [Float](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: shape.count)
        for position in 0..<values.count {
            var source = 0
            for axis in 0..<outputShape.count { source += index[axis] * strides[permutation[axis]] }
            output[position] = values[source]
            var axis = outputShape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < outputShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return (outputShape, output)
    }

    // MARK: Ops

    private mutating func lower(_ value: ValueID) throws(ONNXExportError) {
        let node = graph.nodes[value]
        let name = node.label
        switch node.op {
        case .features:
            native[value] = try inputs(shape: node.shape)
        case .parameter:
            break // an initializer, made where an op reads it (in the layout that op needs)
        case .matmul(let x, let weight):
            native[value] = builder.node("MatMul", [nhwc(x), try parameter(weight)], name: name)
        case .addBias(let x, let bias):
            try addBias(value, x, bias)
        case .activation(let x, let function):
            let (names, first) = elementwise([x])
            record(value, activation(names[0], function, name: name), channelsFirst: first)
        case .biasActivation(let x, let bias, let function):
            try addBias(value, x, bias)
            let (names, first) = elementwise([value])
            record(value, activation(names[0], function, name: name), channelsFirst: first)
        case .softmax(let x):
            native[value] = builder.node("Softmax", [nhwc(x)], name: name, attributes: [Attribute.int("axis", -1)])
        case .multiply(let a, let b), .add(let a, let b):
            let (names, first) = elementwise([a, b])
            let type: String
            if case .multiply = node.op { type = "Mul" } else { type = "Add" }
            record(value, builder.node(type, names, name: name), channelsFirst: first)
        case .reshape(let x):
            // A view of a parameter is made where an op reads it, like the parameter.
            guard parameterIndex(value) == nil else { break }
            let shape = builder.integers(name + "_shape", [-1] + node.shape.dropFirst())
            native[value] = builder.node("Reshape", [nhwc(x), shape], name: name)
        case .conv2d(let x, let weight, let window, _):
            // dlc [kh, kw, cin, cout] -> ONNX [cout, cin, kh, kw].
            let onnxWeight = try parameter(weight, permuted: [3, 2, 0, 1], suffix: "")
            let input = graph.shape(of: x)
            channelsFirst[value] = builder.node("Conv", [nchw(x), onnxWeight], name: name,
                                                attributes: windowAttributes(window, input: input))
        case .maxPool(let x, let window):
            channelsFirst[value] = builder.node("MaxPool", [nchw(x)], name: name,
                                                attributes: windowAttributes(window, input: graph.shape(of: x)))
        case .averagePool(let x, let window):
            channelsFirst[value] = builder.node("AveragePool", [nchw(x)], name: name,
                                                attributes: windowAttributes(window, input: graph.shape(of: x))
                                                    + [Attribute.int("count_include_pad", 0)])
        case .batchNorm(let x, let gamma, let beta, let mean, let variance, _, let epsilon, let training, _):
            guard !training else { throw .notInference("a batch norm in training mode") }
            try batchNorm(value, x, [gamma, beta, mean, variance], epsilon: epsilon)
        case .narrow(let x, let axis, let start, let length):
            let starts = builder.integers(name + "_starts", [start]), ends = builder.integers(name + "_ends", [start + length])
            let axes = builder.integers(name + "_axes", [axis])
            native[value] = builder.node("Slice", [nhwc(x), starts, ends, axes], name: name)
        case .concat(let values, let axis):
            if let pair = bidirectional[value] {
                native[value] = try recurrent([pair.forward, pair.reverse], name: name)
            } else if axis == 3, graph.shape(of: values[0]).count == 4, prefersChannelsFirst(values) {
                channelsFirst[value] = builder.node("Concat", values.map { nchw($0) }, name: name, attributes: [Attribute.int("axis", 1)])
            } else {
                native[value] = builder.node("Concat", values.map { nhwc($0) }, name: name, attributes: [Attribute.int("axis", axis)])
            }
        case .globalAveragePool(let x):
            native[value] = globalPool(x, reduce: "ReduceMean", global: "GlobalAveragePool", name: name)
        case .globalMaxPool(let x):
            native[value] = globalPool(x, reduce: "ReduceMax", global: "GlobalMaxPool", name: name)
        case .layerNorm(let x, let gamma, let beta, let epsilon):
            native[value] = builder.node("LayerNormalization", [nhwc(x), try parameter(gamma), try parameter(beta)], name: name,
                                         attributes: [Attribute.int("axis", -1), Attribute.float("epsilon", epsilon)])
        case .embedding(let ids, let table):
            if case .features = graph.nodes[ids].op {
                // Ids a client passes (a text model's token ids): one that is no row gives zeros, as in dlc.
                native[value] = try checkedEmbedding(ids, table, name: name)
            } else {
                let indices = builder.node("Cast", [nhwc(ids)], name: name + "_ids", attributes: [Attribute.int("to", 7)])
                native[value] = builder.node("Gather", [try parameter(table), indices], name: name, attributes: [Attribute.int("axis", 0)])
            }
        case .attention(let qkv, let lengths, let heads, let causal):
            native[value] = attention(qkv, lengths: lengths, heads: heads, causal: causal, name: name)
        case .sequenceLengths(let ids):
            native[value] = sequenceLengths(ids, name: name)
        case .strideLengths(let lengths, let stride, let limit):
            native[value] = strideLengths(lengths, stride: stride, limit: limit, name: name)
        case .maskSteps(let x, let lengths):
            native[value] = maskSteps(x, lengths: lengths, name: name)
        case .sequencePool(let x, let lengths, let maximum):
            native[value] = sequencePool(x, lengths: lengths, maximum: maximum, name: name)
        case .recurrent:
            // A bidirectional layer's direction is lowered with the other, at their concat.
            guard !fusedDirections.contains(value) else { break }
            native[value] = try recurrent([value], name: name)
        case .labels, .targets, .dropoutMask, .oneHot, .loss, .slice:
            throw .notInference("`\(node.op)` (%\(value), `\(name)`)")
        case .lossGradient, .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis, .activationGradient,
             .activationGradientFromOutput, .softmaxGradient, .conv2dInputGradient, .conv2dWeightGradient, .maxPoolGradient,
             .averagePoolGradient, .batchNormGradient, .globalAveragePoolGradient, .globalMaxPoolGradient, .layerNormGradient,
             .embeddingGradient, .recurrentGradient, .sequencePoolGradient, .attentionGradient:
            throw .notInference("a gradient (%\(value), `\(name)`)")
        }
    }

    /// `x + bias` over the last axis of dlc's layout (the channel axis of an NCHW copy).
    private mutating func addBias(_ value: ValueID, _ x: ValueID, _ bias: ValueID) throws(ONNXExportError) {
        let name = label(value)
        if prefersChannelsFirst([x]) {
            let index = try parameterSource(bias).index
            let info = graph.parameters[index]
            let column = builder.initializer(info.name, shape: [info.elementCount, 1, 1], values: model.parameters[index])
            channelsFirst[value] = builder.node("Add", [nchw(x), column], name: name)
        } else {
            native[value] = builder.node("Add", [nhwc(x), try parameter(bias)], name: name)
        }
    }

    /// ONNX's batch norm normalizes axis 1: rank 2 as it is, images as NCHW, other ranks transposed there and back.
    private mutating func batchNorm(_ value: ValueID, _ x: ValueID, _ statistics: [ValueID], epsilon: Float) throws(ONNXExportError) {
        let name = label(value)
        var operands: [String] = []
        for statistic in statistics { operands.append(try parameter(statistic)) }
        let attributes = [Attribute.float("epsilon", epsilon)]
        let rank = graph.shape(of: x).count
        switch rank {
        case 2:
            native[value] = builder.node("BatchNormalization", [nhwc(x)] + operands, name: name, attributes: attributes)
        case 4:
            channelsFirst[value] = builder.node("BatchNormalization", [nchw(x)] + operands, name: name, attributes: attributes)
        default:
            let toFirst = [0, rank - 1] + Array(1..<(rank - 1))
            let back = [0] + Array(2..<rank) + [1]
            let moved = builder.node("Transpose", [nhwc(x)], name: name + "_channels", attributes: [Attribute.ints("perm", toFirst)])
            let normalized = builder.node("BatchNormalization", [moved] + operands, name: name, attributes: attributes)
            native[value] = builder.node("Transpose", [normalized], name: name + "_back", attributes: [Attribute.ints("perm", back)])
        }
    }

    /// `[b, ..., c] -> [b, c]`: ONNX's global pool on an NCHW copy at hand, else a reduction of dlc's layout.
    private mutating func globalPool(_ x: ValueID, reduce: String, global: String, name: String) -> String {
        let rank = graph.shape(of: x).count
        if rank == 4, channelsFirst[x] != nil {
            let pooled = builder.node(global, [nchw(x)], name: name)
            return builder.node("Flatten", [pooled], name: name + "_flat", attributes: [Attribute.int("axis", 1)])
        }
        let axes = builder.integers(name + "_axes", Array(1..<(rank - 1)))
        return builder.node(reduce, [nhwc(x), axes], name: name, attributes: [Attribute.int("keepdims", 0)])
    }

    /// Kernel, strides and explicit pads (TensorFlow's split of `same`, as `ConvolutionGeometry`).
    private func windowAttributes(_ window: WindowAttributes, input: [Int]) -> [Onnx_AttributeProto] {
        func pads(_ length: Int, _ kernel: Int, _ stride: Int) -> (before: Int, after: Int) {
            guard window.samePadding else { return (0, 0) }
            let out = window.output(length, window: kernel, stride: stride)
            let total = max((out - 1) * stride + kernel - length, 0)
            return (total / 2, total - total / 2)
        }
        let rows = pads(input[1], window.height, window.strideHeight), columns = pads(input[2], window.width, window.strideWidth)
        return [Attribute.ints("kernel_shape", [window.height, window.width]),
                Attribute.ints("strides", [window.strideHeight, window.strideWidth]),
                Attribute.ints("pads", [rows.before, columns.before, rows.after, columns.after])]
    }

    /// An elementwise activation of `x`.
    private mutating func activation(_ x: String, _ function: ActivationFunction, name: String) -> String {
        switch function.kind {
        case .linear: return builder.node("Identity", [x], name: name)
        case .relu: return builder.node("Relu", [x], name: name)
        case .sigmoid: return builder.node("Sigmoid", [x], name: name)
        case .tanh: return builder.node("Tanh", [x], name: name)
        case .leakyReLU: return builder.node("LeakyRelu", [x], name: name, attributes: [Attribute.float("alpha", function.parameter)])
        case .elu: return builder.node("Elu", [x], name: name, attributes: [Attribute.float("alpha", function.parameter)])
        case .gelu: return builder.node("Gelu", [x], name: name, attributes: [Attribute.string("approximate", "none")])
        case .silu:
            let gate = builder.node("Sigmoid", [x], name: name + "_gate")
            return builder.node("Mul", [x, gate], name: name)
        }
    }
}
