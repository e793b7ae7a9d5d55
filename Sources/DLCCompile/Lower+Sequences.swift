import DLCCheck
import DLCGraph
import DLCSpec

extension Lower {
    /// A conv1d as a conv2d over `[batch, 1, steps, channels]` with a `1 x kernel` window; its weight
    /// is `LAYER.weight` `[kernel, channels, filters]` (a view of it feeds the convolution).
    static func convolution1D(_ input: ValueID, name: String, filters: Int, window: WindowSpec, activation: Activation, useBias: Bool,
                              initializer: String, training: Bool, in graph: inout Graph) -> ValueID {
        let shape = graph.shape(of: input)
        let (batch, steps, channels) = (shape[0], shape[1], shape[2])
        let kernel = window.size.width
        let weight = graph.addParameter(ParameterInfo(name: "\(name).weight", shape: [kernel, channels, filters], initializer: initializer,
                                                      fanIn: kernel * channels, fanOut: kernel * filters), label: name)
        let kernel2D = graph.add(.reshape(weight), shape: [1, kernel, channels, filters], label: name)
        let image = graph.add(.reshape(input), shape: [batch, 1, steps, channels], label: name)
        var x = graph.add(.conv2d(image, weight: kernel2D, attributes(window), keepsColumns: training), label: name)
        if useBias {
            let bias = graph.addParameter(ParameterInfo(name: "\(name).bias", shape: [filters], initializer: "zeros",
                                                        fanIn: kernel * channels, fanOut: filters), label: name)
            x = graph.add(.addBias(x, bias: bias), label: name)
        }
        x = activate(x, activation, parameter: nil, in: &graph, label: name)
        let outputSteps = graph.shape(of: x)[2]
        return graph.add(.reshape(x), shape: [batch, outputSteps, filters], label: name)
    }

    /// An LSTM or GRU: one `recurrent` node per direction (PyTorch's parameters, `LAYER.weight_ih`
    /// `[features, gates * units]` and so on, `_reverse` for the second direction), the two
    /// directions' outputs concatenated.
    static func recurrentLayer(_ input: ValueID, _ layer: RecurrentLayer, name: String, lengths: ValueID?, in graph: inout Graph) -> ValueID {
        let features = graph.shape(of: input)[2]
        let cell: RecurrentCell = layer.cell == .lstm ? .lstm : .gru
        let width = cell.gates * layer.units
        var directions: [ValueID] = []
        for reverse in layer.bidirectional ? [false, true] : [false] {
            let suffix = reverse ? "_reverse" : ""
            func parameter(_ what: String, _ shape: [Int]) -> ValueID {
                // PyTorch: every weight and bias uniform on ±1/sqrt(units).
                graph.addParameter(ParameterInfo(name: "\(name).\(what)\(suffix)", shape: shape, initializer: "recurrent_uniform",
                                                 fanIn: layer.units, fanOut: width), label: name)
            }
            let weightInput = parameter("weight_ih", [features, width])
            let weightHidden = parameter("weight_hh", [layer.units, width])
            let biasInput = parameter("bias_ih", [width])
            let biasHidden = parameter("bias_hh", [width])
            let attributes = RecurrentAttributes(cell: cell, units: layer.units, reverse: reverse, returnsSequences: layer.returnsSequences)
            directions.append(graph.add(.recurrent(input, weightInput: weightInput, weightHidden: weightHidden, biasInput: biasInput,
                                                   biasHidden: biasHidden, lengths: lengths, attributes), label: name))
        }
        guard directions.count == 2 else { return directions[0] }
        return graph.add(.concat(directions, axis: layer.returnsSequences ? 2 : 1), label: name)
    }
}

extension Lower {
    /// Self-attention as PyTorch's `nn.MultiheadAttention` (q = k = v = the input): the input
    /// projection `LAYER.in_proj_weight` `[dim, 3 dim]` (+ `in_proj_bias`), the attention of
    /// every head, the output projection `LAYER.out_proj_weight` `[dim, dim]` (+ `out_proj_bias`).
    static func attentionLayer(_ input: ValueID, heads: Int, causal: Bool, name: String, lengths: ValueID?, in graph: inout Graph) -> ValueID {
        let shape = graph.shape(of: input)
        let (batch, steps, dimension) = (shape[0], shape[1], shape[2])
        // PyTorch: xavier_uniform_ over the stacked [3 dim, dim] projection, Linear's U(±1/sqrt(dim)) for the output, zero biases.
        let inWeight = graph.addParameter(ParameterInfo(name: "\(name).in_proj_weight", shape: [dimension, 3 * dimension], initializer: "glorot_uniform",
                                                        fanIn: dimension, fanOut: 3 * dimension), label: name)
        let inBias = graph.addParameter(ParameterInfo(name: "\(name).in_proj_bias", shape: [3 * dimension], initializer: "zeros",
                                                      fanIn: dimension, fanOut: 3 * dimension), label: name)
        let outWeight = graph.addParameter(ParameterInfo(name: "\(name).out_proj_weight", shape: [dimension, dimension], initializer: "recurrent_uniform",
                                                         fanIn: dimension, fanOut: dimension), label: name)
        let outBias = graph.addParameter(ParameterInfo(name: "\(name).out_proj_bias", shape: [dimension], initializer: "zeros",
                                                       fanIn: dimension, fanOut: dimension), label: name)
        let rows = graph.add(.reshape(input), shape: [batch * steps, dimension], label: name)
        let projected = graph.add(.addBias(graph.add(.matmul(rows, inWeight), label: name), bias: inBias), label: name)
        let qkv = graph.add(.reshape(projected), shape: [batch, steps, 3 * dimension], label: name)
        let attended = graph.add(.attention(qkv, lengths: lengths, heads: heads, causal: causal), label: name)
        let flat = graph.add(.reshape(attended), shape: [batch * steps, dimension], label: name)
        let output = graph.add(.addBias(graph.add(.matmul(flat, outWeight), label: name), bias: outBias), label: name)
        return graph.add(.reshape(output), shape: [batch, steps, dimension], label: name)
    }
}
