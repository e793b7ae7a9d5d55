extension Op {
    /// The output shape from the operands' shapes. Sources have no rule: their shape is given.
    public func outputShape(in graph: Graph) -> [Int] {
        let shape = { (value: ValueID) in graph.nodes[value].shape }
        switch self {
        case .features, .labels, .targets, .parameter, .dropoutMask, .reshape, .slice:
            preconditionFailure("internal: \(self) needs an explicit shape")
        case .conv2d(let x, let w, let window, _):
            return window.outputShape(shape(x), channels: shape(w)[3])
        case .maxPool(let x, let window), .averagePool(let x, let window):
            return window.outputShape(shape(x), channels: shape(x)[3])
        case .batchNorm(let x, _, _, _, _, _, _, _, _), .layerNorm(let x, _, _, _):
            return shape(x)
        case .concat(let values, let axis):
            var output = shape(values[0])
            output[axis] = values.reduce(0) { $0 + shape($1)[axis] }
            return output
        case .narrow(let x, let axis, _, let length):
            var output = shape(x)
            output[axis] = length
            return output
        case .globalAveragePool(let x), .globalMaxPool(let x):
            return [shape(x)[0], shape(x).last ?? 1]
        case .embedding(let ids, let table):
            return shape(ids) + [shape(table).last ?? 1]
        case .embeddingGradient(_, _, let table):
            return shape(table)
        case .sequenceLengths(let ids):
            return [shape(ids)[0]]
        case .strideLengths(let lengths, _, _):
            return shape(lengths)
        case .maskSteps(let x, _), .sequencePoolGradient(_, let x, _, _, _):
            return shape(x)
        case .sequencePool(let x, _, _):
            return [shape(x)[0], shape(x).last ?? 1]
        case .attention(let x, _, _, _):
            return [shape(x)[0], shape(x)[1], (shape(x).last ?? 3) / 3]
        case .attentionGradient(_, let x, _, _, _, _):
            return shape(x)
        case .recurrent(let x, _, _, _, _, _, let attributes):
            let input = shape(x)
            return attributes.returnsSequences ? [input[0], input[1], attributes.units] : [input[0], attributes.units]
        case .recurrentGradient(_, let x, _, let wi, let wh, _, _):
            let parameters = graph.nodes[wi].elementCount + graph.nodes[wh].elementCount + 2 * shape(wh)[1]
            return [graph.nodes[x].elementCount + parameters]
        case .globalAveragePoolGradient(_, let x), .globalMaxPoolGradient(_, _, let x), .layerNormGradient(_, let x, _, _):
            return shape(x)
        case .conv2dInputGradient(_, _, let x, _), .maxPoolGradient(_, _, let x, _, _), .averagePoolGradient(_, let x, _),
             .batchNormGradient(_, let x, _, _):
            return shape(x)
        case .conv2dWeightGradient(_, _, let w, _, _):
            return shape(w)
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
        case .lossGradient(_, let prediction, _, _):
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
        case .conv2d: return "conv2d"
        case .maxPool: return "max_pool"
        case .averagePool: return "average_pool"
        case .batchNorm: return "batch_norm"
        case .slice: return "slice"
        case .conv2dInputGradient: return "conv2d_input_gradient"
        case .conv2dWeightGradient: return "conv2d_weight_gradient"
        case .maxPoolGradient: return "max_pool_gradient"
        case .averagePoolGradient: return "average_pool_gradient"
        case .batchNormGradient: return "batch_norm_gradient"
        case .concat: return "concat"
        case .narrow: return "narrow"
        case .embedding: return "embedding"
        case .embeddingGradient: return "embedding_gradient"
        case .sequenceLengths: return "sequence_lengths"
        case .strideLengths: return "stride_lengths"
        case .maskSteps: return "mask_steps"
        case .sequencePool: return "sequence_pool"
        case .sequencePoolGradient: return "sequence_pool_gradient"
        case .attention: return "attention"
        case .attentionGradient: return "attention_gradient"
        case .recurrent: return "recurrent"
        case .recurrentGradient: return "recurrent_gradient"
        case .globalAveragePool: return "global_average_pool"
        case .globalMaxPool: return "global_max_pool"
        case .layerNorm: return "layer_norm"
        case .globalAveragePoolGradient: return "global_average_pool_gradient"
        case .globalMaxPoolGradient: return "global_max_pool_gradient"
        case .layerNormGradient: return "layer_norm_gradient"
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
        case .loss(let kind, _, _, let w), .lossGradient(let kind, _, _, let w): return kind.description + (w == nil ? "" : ", class weights")
        case .conv2d(_, _, let w, let keeps):
            return w.description + (keeps ? ", keeps columns" : "")
        case .maxPool(_, let w), .averagePool(_, let w), .conv2dInputGradient(_, _, _, let w),
             .conv2dWeightGradient(_, _, _, _, let w), .maxPoolGradient(_, _, _, let w, _), .averagePoolGradient(_, _, let w):
            return w.description
        case .batchNorm(_, _, _, _, _, let momentum, let epsilon, let training, let synchronized):
            return "momentum: \(momentum), epsilon: \(epsilon)" + (training ? ", training" : "") + (synchronized ? ", synchronized" : "")
        case .slice(_, let start): return "start: \(start)"
        case .concat(_, let axis): return "axis: \(axis)"
        case .narrow(_, let axis, let start, let length): return "axis: \(axis), start: \(start), length: \(length)"
        case .layerNorm(_, _, _, let epsilon): return "epsilon: \(epsilon)"
        case .strideLengths(_, let stride, let limit): return "stride: \(stride), limit: \(limit)"
        case .recurrent(_, _, _, _, _, _, let attributes), .recurrentGradient(_, _, _, _, _, _, let attributes): return attributes.description
        case .sequenceLengths, .maskSteps: return ""
        case .sequencePool(_, _, let maximum), .sequencePoolGradient(_, _, _, _, let maximum): return maximum ? "maximum" : "mean"
        case .attention(_, _, let heads, let causal), .attentionGradient(_, _, _, _, let heads, let causal):
            return "heads: \(heads)" + (causal ? ", causal" : "")
        case .globalAveragePool, .globalMaxPool, .globalAveragePoolGradient, .globalMaxPoolGradient, .layerNormGradient, .embedding, .embeddingGradient:
            return ""
        case .features, .labels, .targets, .matmul, .addBias, .softmax, .multiply, .reshape, .matmulGradientLeft,
             .matmulGradientRight, .sumToLastAxis, .softmaxGradient, .add, .batchNormGradient:
            return ""
        }
    }

    /// Floats a node keeps after its own values, for its gradient: max pooling's winners,
    /// batchnorm's saved statistics, batchnorm's parameter gradients.
    public func auxiliarySize(in graph: Graph) -> Int {
        switch self {
        case .maxPool: return auxiliaryPooling(graph)
        case .batchNorm(let x, _, _, _, _, _, _, let training, _): return training ? 2 * (graph.nodes[x].shape.last ?? 0) : 0
        case .batchNormGradient(_, let x, _, _), .layerNormGradient(_, let x, _, _): return 2 * (graph.nodes[x].shape.last ?? 0)
        case .globalMaxPool(let x): return graph.nodes[x].shape[0] * (graph.nodes[x].shape.last ?? 1)
        case .layerNorm(let x, _, _, _): return 2 * graph.nodes[x].elementCount / max(graph.nodes[x].shape.last ?? 1, 1)
        case .conv2d(let x, let w, let window, let keeps): return keeps ? Self.columns(graph.nodes[x].shape, graph.nodes[w].shape, window) : 0
        case .recurrent(let x, _, _, _, _, _, let attributes):
            return graph.nodes[x].shape[0] * graph.nodes[x].shape[1] * attributes.cell.recordWidth(units: attributes.units)
        case .sequencePool(let x, _, let maximum):
            return maximum ? graph.nodes[x].shape[0] * (graph.nodes[x].shape.last ?? 1) : 0
        case .attention(let x, _, let heads, _):
            return graph.nodes[x].shape[0] * heads * graph.nodes[x].shape[1] * graph.nodes[x].shape[1]
        case .sequenceLengths, .strideLengths, .maskSteps, .recurrentGradient, .sequencePoolGradient, .attentionGradient:
            return 0
        case .features, .labels, .targets, .parameter, .dropoutMask, .matmul, .addBias, .activation, .biasActivation, .softmax,
             .multiply, .reshape, .oneHot, .loss, .lossGradient, .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis,
             .activationGradient, .activationGradientFromOutput, .softmaxGradient, .add, .averagePool, .slice,
             .conv2dInputGradient, .conv2dWeightGradient, .maxPoolGradient, .averagePoolGradient, .concat, .narrow,
             .globalAveragePool, .globalAveragePoolGradient, .globalMaxPoolGradient, .embedding, .embeddingGradient:
            return 0
        }
    }

    /// Floats of a convolution's im2col matrix: `[b * h' * w', kh * kw * cin]` (none for a 1x1 stride-1 kernel).
    static func columns(_ input: [Int], _ weight: [Int], _ window: WindowAttributes) -> Int {
        let output = window.outputShape(input, channels: weight[3])
        let pointwise = window.height == 1 && window.width == 1 && window.strideHeight == 1 && window.strideWidth == 1
        return pointwise ? 0 : output[0] * output[1] * output[2] * weight[0] * weight[1] * weight[2]
    }

    private func auxiliaryPooling(_ graph: Graph) -> Int {
        guard case .maxPool(let x, let window) = self else { return 0 }
        return window.outputShape(graph.nodes[x].shape, channels: graph.nodes[x].shape[3]).reduce(1, *)
    }

    /// Floats of scratch an op needs while it runs (im2col columns, loss probabilities); one
    /// region of the arena serves every node.
    public func scratchSize(in graph: Graph) -> Int {
        switch self {
        case .conv2d(let x, let w, let window, let keeps):
            return keeps ? 0 : Self.columns(graph.nodes[x].shape, graph.nodes[w].shape, window)
        case .conv2dInputGradient(_, let w, let x, let window):
            return Self.columns(graph.nodes[x].shape, graph.nodes[w].shape, window)
        case .conv2dWeightGradient(let x, _, let w, let forward, let window):
            if case .conv2d(_, _, _, true) = graph.nodes[forward].op { return 0 }
            return Self.columns(graph.nodes[x].shape, graph.nodes[w].shape, window)
        case .loss(_, let prediction, _, _), .lossGradient(_, let prediction, _, _):
            return graph.nodes[prediction].elementCount
        case .recurrent(let x, _, _, _, _, _, let attributes):
            return RecurrentScratch(batch: graph.nodes[x].shape[0], steps: graph.nodes[x].shape[1], attributes: attributes, training: false).floats
        case .recurrentGradient(_, let x, _, _, _, _, let attributes):
            return RecurrentScratch(batch: graph.nodes[x].shape[0], steps: graph.nodes[x].shape[1], attributes: attributes, training: true).floats
        case .attentionGradient(_, let x, _, _, _, _):
            // One head's probability gradients at a time.
            return graph.nodes[x].shape[1] * graph.nodes[x].shape[1]
        case .sequenceLengths, .strideLengths, .maskSteps, .sequencePool, .sequencePoolGradient, .attention:
            return 0
        case .features, .labels, .targets, .parameter, .dropoutMask, .matmul, .addBias, .activation, .biasActivation, .softmax,
             .multiply, .reshape, .oneHot, .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis, .activationGradient,
             .activationGradientFromOutput, .softmaxGradient, .add, .maxPool, .averagePool, .batchNorm, .slice,
             .maxPoolGradient, .averagePoolGradient, .batchNormGradient, .concat, .narrow, .globalAveragePool, .globalMaxPool,
             .layerNorm, .globalAveragePoolGradient, .globalMaxPoolGradient, .layerNormGradient, .embedding, .embeddingGradient:
            return 0
        }
    }
}
