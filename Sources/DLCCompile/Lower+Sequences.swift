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
