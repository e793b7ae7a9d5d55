import DLCCheck
import DLCGraph
import DLCSpec

/// What a lowered graph is for.
public enum GraphMode: Sendable {
    /// Forward with dropout, loss, ready for `differentiate`.
    case training
    /// Forward without dropout, with the loss.
    case evaluation
    /// Forward without dropout or loss: the prediction only.
    case inference
}

/// The `lower` pass: a checked model -> a forward graph with its loss, for one batch size.
public enum Lower {
    /// `keepsConvolutionColumns: false` (for a runtime whose convolution library needs no im2col
    /// columns) makes training convolutions rebuild them in scratch when a weight gradient needs them.
    public static func lower(_ model: CheckedModel, batchSize: Int, mode: GraphMode,
                             keepsConvolutionColumns: Bool = true) throws(CompileError) -> Graph {
        var graph = Graph(batchSize: batchSize)
        let (features, namedInputs) = encodedInputs(model, batchSize: batchSize, in: &graph)
        // Each layer's output value; a layer reads the values its inputs name.
        var outputs: [ValueID] = []
        // Each sequence's lengths `[batch]`, where its examples have padded steps (token ids and what is made of them).
        var lengthsOf: [ValueID: ValueID] = [:]

        let readers = model.readers()
        func value(_ input: LayerInput) -> ValueID {
            switch input {
            case .input: return features
            case .layer(let index): return outputs[index]
            case .named(let name): return namedInputs[name] ?? features
            }
        }
        for (index, layer) in model.layers.enumerated() {
            let name = layer.name
            let output = [batchSize] + layer.outputShape
            var x = value(layer.inputs[0])
            if case .embedding = layer.spec.config, lengthsOf[x] == nil {
                // Token ids: each example's length is where its padding (id 0) starts.
                lengthsOf[x] = graph.add(.sequenceLengths(x), label: name)
            }
            let lengths = lengthsOf[x]
            var outputLengths = lengths
            switch layer.spec.config {
            case .dense(let units, let activation, let useBias, let initializer):
                let inputs = graph.shape(of: x).dropFirst().reduce(1, *)
                if graph.shape(of: x).count != 2 { x = graph.add(.reshape(x), shape: [batchSize, inputs], label: name) }
                let kind = initializer ?? defaultInitializer(activation, after: index, in: model, readers: readers)
                let weight = graph.addParameter(ParameterInfo(name: "\(name).weight", shape: [inputs, units], initializer: kind,
                                                              fanIn: inputs, fanOut: units), label: name)
                x = graph.add(.matmul(x, weight), label: name)              // [batch, in] x [in, units]
                if useBias {
                    let bias = graph.addParameter(ParameterInfo(name: "\(name).bias", shape: [units], initializer: "zeros",
                                                                fanIn: inputs, fanOut: units), label: name)
                    x = graph.add(.addBias(x, bias: bias), label: name)
                }
                x = activate(x, activation, parameter: nil, in: &graph, label: name)
            case .dropout(let rate):
                if mode == .training, rate > 0 {
                    let mask = graph.add(.dropoutMask(rate: Float(rate), stream: index), shape: graph.shape(of: x), label: name)
                    x = graph.add(.multiply(x, mask), label: name)
                }
            case .activation(let activation, let parameter):
                x = activate(x, activation, parameter: parameter, in: &graph, label: name)
            case .flatten, .reshape:
                x = graph.add(.reshape(x), shape: output, label: name)
            case .conv2d(let filters, let window, let activation, let useBias, let initializer):
                let channels = graph.shape(of: x)[3]
                let fanIn = window.size.height * window.size.width * channels
                let kind = initializer ?? defaultInitializer(activation, after: index, in: model, readers: readers)
                let weight = graph.addParameter(ParameterInfo(name: "\(name).weight", shape: [window.size.height, window.size.width, channels, filters],
                                                              initializer: kind, fanIn: fanIn,
                                                              fanOut: window.size.height * window.size.width * filters), label: name)
                x = graph.add(.conv2d(x, weight: weight, attributes(window), keepsColumns: mode == .training && keepsConvolutionColumns), label: name)
                if useBias {
                    let bias = graph.addParameter(ParameterInfo(name: "\(name).bias", shape: [filters], initializer: "zeros",
                                                                fanIn: fanIn, fanOut: filters), label: name)
                    x = graph.add(.addBias(x, bias: bias), label: name)
                }
                x = activate(x, activation, parameter: nil, in: &graph, label: name)
            case .maxPool2D(let window):
                x = graph.add(.maxPool(x, attributes(window)), label: name)
            case .avgPool2D(let window):
                x = graph.add(.averagePool(x, attributes(window)), label: name)
            case .batchNorm(let momentum, let epsilon, let synchronized):
                let channels = graph.shape(of: x).last ?? 1
                let gamma = normalizationParameter(name, "weight", "ones", channels, trainable: true, in: &graph)
                let beta = normalizationParameter(name, "bias", "zeros", channels, trainable: true, in: &graph)
                let mean = normalizationParameter(name, "running_mean", "zeros", channels, trainable: false, in: &graph)
                let variance = normalizationParameter(name, "running_var", "ones", channels, trainable: false, in: &graph)
                x = graph.add(.batchNorm(x, gamma: gamma, beta: beta, runningMean: mean, runningVariance: variance,
                                         momentum: Float(momentum), epsilon: Float(epsilon), training: mode == .training,
                                         synchronized: synchronized), label: name)
            case .layerNorm(let epsilon):
                let features = graph.shape(of: x).last ?? 1
                let gamma = normalizationParameter(name, "weight", "ones", features, trainable: true, in: &graph)
                let beta = normalizationParameter(name, "bias", "zeros", features, trainable: true, in: &graph)
                x = graph.add(.layerNorm(x, gamma: gamma, beta: beta, epsilon: Float(epsilon)), label: name)
            case .globalAvgPool:
                // A sequence with padded steps pools over its real steps only.
                x = graph.add(lengths.map { .sequencePool(x, lengths: $0, maximum: false) } ?? .globalAveragePool(x), label: name)
            case .globalMaxPool:
                x = graph.add(lengths.map { .sequencePool(x, lengths: $0, maximum: true) } ?? .globalMaxPool(x), label: name)
            case .embedding(let dimension, let vocabulary):
                let rows = vocabulary ?? model.tokenVocabulary ?? 1
                let table = graph.addParameter(ParameterInfo(name: "\(name).weight", shape: [rows, dimension], initializer: "lecun_normal",
                                                             fanIn: 1, fanOut: dimension), label: name)
                x = graph.add(.embedding(ids: x, table: table), label: name)       // [batch, steps, dim]
            case .conv1d(let filters, let window, let activation, let useBias, let initializer):
                x = convolution1D(x, name: name, filters: filters, window: window, activation: activation, useBias: useBias,
                                  initializer: initializer ?? defaultInitializer(activation, after: index, in: model, readers: readers),
                                  training: mode == .training && keepsConvolutionColumns, in: &graph)
            case .maxPool1D(let window), .avgPool1D(let window):
                let shape = graph.shape(of: x)
                let image = graph.add(.reshape(x), shape: [batchSize, 1, shape[1], shape[2]], label: name)
                let pooled = layer.spec.config == .maxPool1D(window) ? graph.add(.maxPool(image, attributes(window)), label: name)
                                                                     : graph.add(.averagePool(image, attributes(window)), label: name)
                x = graph.add(.reshape(pooled), shape: output, label: name)
            case .recurrent(let recurrent):
                x = recurrentLayer(x, recurrent, name: name, lengths: lengths, in: &graph)
            case .attention(let heads, let causal):
                x = attentionLayer(x, heads: heads, causal: causal, name: name, lengths: lengths, in: &graph)
            case .positionalEmbedding:
                // [batch, steps, dim] seen as [batch, steps * dim] plus the table seen as one bias of steps * dim.
                let shape = graph.shape(of: x)
                let table = graph.addParameter(ParameterInfo(name: "\(name).weight", shape: [shape[1], shape[2]], initializer: "lecun_normal",
                                                             fanIn: 1, fanOut: shape[2]), label: name)
                let flat = graph.add(.reshape(x), shape: [batchSize, shape[1] * shape[2]], label: name)
                let bias = graph.add(.reshape(table), shape: [shape[1] * shape[2]], label: name)
                x = graph.add(.reshape(graph.add(.addBias(flat, bias: bias), label: name)), shape: shape, label: name)
            case .add, .multiply:
                // A chain of two-operand ops: ((a + b) + c) ...
                for input in layer.inputs.dropFirst() {
                    let y = value(input)
                    x = graph.add(layer.spec.config == .add ? .add(x, y) : .multiply(x, y), label: name)
                }
            case .concat(let axis):
                let rank = layer.outputShape.count
                x = graph.add(.concat(layer.inputs.map(value), axis: 1 + (axis < 0 ? rank + axis : axis)), label: name)
            }
            // Steps past each length stay zero, so a later window or sum sees padding as zeros.
            if let known = lengths, graph.shape(of: x).count >= 3 {
                switch layer.spec.config {
                case .conv1d(_, let window, _, _, _), .maxPool1D(let window), .avgPool1D(let window):
                    if window.stride.width > 1 {
                        outputLengths = graph.add(.strideLengths(known, stride: window.stride.width, limit: graph.shape(of: x)[1]), label: name)
                    }
                    x = graph.add(.maskSteps(x, lengths: outputLengths ?? known), label: name)
                case .recurrent, .dropout, .add, .multiply, .concat:
                    // zero past the lengths already (dropout scales zeros; merges of masked values stay masked)
                    break
                default:
                    x = graph.add(.maskSteps(x, lengths: known), label: name)
                }
            }
            if let outputLengths, graph.shape(of: x).count >= 3 { lengthsOf[x] = outputLengths }
            outputs.append(x)
        }
        freezeLayers(model, in: &graph)
        let x = outputs.last ?? features
        graph.prediction = x
        if mode == .inference {
            // A classifier without a final softmax or sigmoid outputs logits.
            var endsWithProbabilities = false
            if case .softmax = graph.nodes[x].op { endsWithProbabilities = true }
            if case .activation(_, let f) = graph.nodes[x].op, f.kind == .sigmoid { endsWithProbabilities = true }
            graph.predictionIsLogits = model.spec.loss?.value.isClassification == true && !endsWithProbabilities
        } else {
            try addLoss(model, to: &graph)
        }
        return graph
    }

    /// `trainable: false`: the layer's parameters get no gradient and no optimizer state.
    private static func freezeLayers(_ model: CheckedModel, in graph: inout Graph) {
        let frozen = Set(model.layers.filter { !$0.spec.isTrainable }.map(\.name))
        guard !frozen.isEmpty else { return }
        for node in graph.nodes {
            if case .parameter(let index) = node.op, frozen.contains(node.label) { graph.parameters[index].isTrainable = false }
        }
    }

    /// A `[features]` parameter of a normalization layer: `LAYER.weight` (gamma), `LAYER.bias` (beta), running statistics.
    private static func normalizationParameter(_ layer: String, _ suffix: String, _ initializer: String, _ features: Int,
                                               trainable: Bool, in graph: inout Graph) -> ValueID {
        graph.addParameter(ParameterInfo(name: "\(layer).\(suffix)", shape: [features], initializer: initializer,
                                         fanIn: features, fanOut: features, isTrainable: trainable), label: layer)
    }

    static func attributes(_ window: WindowSpec) -> WindowAttributes {
        WindowAttributes(height: window.size.height, width: window.size.width, strideHeight: window.stride.height,
                         strideWidth: window.stride.width, samePadding: window.padding == .same)
    }

    /// Applies an activation; `linear` adds no node.
    static func activate(_ x: ValueID, _ activation: Activation, parameter: Double?, in graph: inout Graph, label: String) -> ValueID {
        let kind: ActivationKind
        switch activation {
        case .linear: return x
        case .softmax: return graph.add(.softmax(x), label: label)
        case .relu: kind = .relu
        case .sigmoid: kind = .sigmoid
        case .tanh: kind = .tanh
        case .leakyReLU: kind = .leakyReLU
        case .elu: kind = .elu
        case .gelu: kind = .gelu
        case .silu: kind = .silu
        }
        let defaultParameter: Double = activation == .elu ? 1 : (activation == .leakyReLU ? 0.01 : 0)
        return graph.add(.activation(x, ActivationFunction(kind, parameter: Float(parameter ?? defaultParameter))), label: label)
    }

    /// He for relu-like activations, Glorot otherwise; a linear layer looks at the activation its
    /// only reader applies (through dropout and batchnorm).
    static func defaultInitializer(_ activation: Activation, after index: Int, in model: CheckedModel, readers: [[Int]]) -> String {
        var effective = activation
        if activation == .linear {
            var current = index
            while readers[current].count == 1 {
                let next = readers[current][0]
                let config = model.layers[next].spec.config
                if case .activation(let kind, _) = config { effective = kind; break }
                if case .dropout = config { current = next; continue }
                if case .batchNorm = config { current = next; continue }
                break
            }
        }
        switch effective {
        case .relu, .leakyReLU, .elu, .gelu, .silu: return "he_uniform"
        case .linear, .sigmoid, .tanh, .softmax: return "glorot_uniform"
        }
    }

    private static func addLoss(_ model: CheckedModel, to graph: inout Graph) throws(CompileError) {
        guard let prediction = graph.prediction, let loss = model.spec.loss?.value else {
            throw CompileError("the spec has no loss", at: nil)
        }
        let batch = graph.batchSize
        let units = graph.shape(of: prediction).last ?? 1
        var endsWithSoftmax = false, endsWithSigmoid = false
        if case .softmax = graph.nodes[prediction].op { endsWithSoftmax = true }
        if case .activation(_, let f) = graph.nodes[prediction].op { endsWithSigmoid = f.kind == .sigmoid }
        let kind: LossKind
        let target: ValueID
        switch loss {
        case .crossEntropy(let smoothing, _):
            target = graph.add(.labels, shape: [batch], label: "loss")
            kind = endsWithSoftmax ? .crossEntropy(labelSmoothing: Float(smoothing)) : .softmaxCrossEntropy(labelSmoothing: Float(smoothing))
            graph.predictionIsLogits = !endsWithSoftmax
        case .binaryCrossEntropy:
            target = graph.add(.labels, shape: [batch], label: "loss")
            kind = endsWithSigmoid ? .binaryCrossEntropy : .sigmoidBinaryCrossEntropy
            graph.predictionIsLogits = !endsWithSigmoid
        case .mse, .mae:
            kind = loss == .mse ? .meanSquaredError : .meanAbsoluteError
            if model.hasClassLabels {
                let labels = graph.add(.labels, shape: [batch], label: "loss")
                target = units == 1 ? graph.add(.reshape(labels), shape: [batch, 1], label: "loss")
                                    : graph.add(.oneHot(labels, classes: units), label: "loss")
            } else {
                target = graph.add(.targets, shape: [batch, units], label: "loss")
            }
        }
        var weights: ValueID?
        if loss.isBalanced {
            // Filled by the trainer from the training split's class counts, and saved with the model.
            let classes = units == 1 ? 2 : units
            weights = graph.addParameter(ParameterInfo(name: ParameterInfo.classWeightsName, shape: [classes], initializer: "ones", fanIn: 1, fanOut: 1,
                                                       isTrainable: false), label: "loss")
        }
        graph.loss = graph.add(.loss(kind, prediction: prediction, target: target, weights: weights), label: "loss")
    }
}

extension CheckedModel {
    /// Whether the training data's targets are class labels (known from the data, or from a builtin set).
    public var hasClassLabels: Bool {
        switch trainingData?.target {
        case .classes?: return true
        case .values?: return false
        case nil:
            if spec.loss?.value.isClassification == true { return true }
            if case .builtin(let name, _, _)? = spec.data?.train?.value { return name.value != "sine" }
            return false
        }
    }
}
