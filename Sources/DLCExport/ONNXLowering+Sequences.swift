import DLCGraph

/// The sequence ops: lengths from token ids, masks of the steps past them, pooling over real steps
/// and LSTM / GRU directions (ONNX's `LSTM` and `GRU`, time-major, with `sequence_lens`). Lengths
/// are float `[batch]` values in dlc's layout, as dlc holds them.
extension ONNXLowering {
    /// One past the last non-zero id of each row of `[batch, steps]` ids: the maximum over the row of
    /// `(id != 0) * (position + 1)` (an id 0 before the last token does not shorten it; NaN counts as a token).
    mutating func sequenceLengths(_ ids: ValueID, name: String) -> String {
        let steps = graph.shape(of: ids)[1]
        let zero = builder.constant(name + "_pad", [0], shape: [])
        let padding = builder.node("Equal", [nhwc(ids), zero], name: name + "_padding")
        let tokens = builder.node("Not", [padding], name: name + "_tokens")
        let present = builder.node("Cast", [tokens], name: name + "_present", attributes: [Attribute.int("to", 1)])
        let ends = builder.constant(name + "_ends", (1...steps).map(Float.init), shape: [steps])
        let weighted = builder.node("Mul", [present, ends], name: name + "_ends_present")
        let axes = builder.integers(name + "_axes", [1])
        return builder.node("ReduceMax", [weighted, axes], name: name, attributes: [Attribute.int("keepdims", 0)])
    }

    /// An embedding of ids from the model's input: an id that is not a whole number in `0..<rows`
    /// (NaN included) looks up zeros, as dlc's kernel does, where `Gather` would fail.
    mutating func checkedEmbedding(_ ids: ValueID, _ table: ValueID, name: String) throws(ONNXExportError) -> String {
        let rows = graph.shape(of: table)[0]
        let x = nhwc(ids)
        let zero = builder.constant(name + "_zero", [0], shape: []), count = builder.constant(name + "_rows", [Float(rows)], shape: [])
        let whole = builder.node("Equal", [x, builder.node("Floor", [x], name: name + "_floor")], name: name + "_whole")
        let inside = builder.node("And", [builder.node("GreaterOrEqual", [x, zero], name: name + "_nonnegative"),
                                          builder.node("Less", [x, count], name: name + "_below")], name: name + "_inside")
        let valid = builder.node("And", [whole, inside], name: name + "_valid")
        let safe = builder.node("Where", [valid, x, zero], name: name + "_safe")
        let indices = builder.node("Cast", [safe], name: name + "_ids", attributes: [Attribute.int("to", 7)])
        let rowsLooked = builder.node("Gather", [try parameter(table), indices], name: name + "_rows", attributes: [Attribute.int("axis", 0)])
        let axes = builder.integers(name + "_valid_axes", [graph.shape(of: ids).count])
        let validRows = builder.node("Unsqueeze", [valid, axes], name: name + "_valid_rows")
        return builder.node("Where", [validRows, rowsLooked, zero], name: name)
    }

    /// `min(ceil(length / stride), limit)`.
    mutating func strideLengths(_ lengths: ValueID, stride: Int, limit: Int, name: String) -> String {
        let divisor = builder.constant(name + "_stride", [Float(stride)], shape: [])
        let ceiling = builder.node("Ceil", [builder.node("Div", [nhwc(lengths), divisor], name: name + "_strided")], name: name + "_ceil")
        let most = builder.constant(name + "_limit", [Float(limit)], shape: [])
        return builder.node("Min", [ceiling, most], name: name)
    }

    /// `[batch, 1]`: the lengths as a column, to broadcast over the steps.
    private mutating func lengthsColumn(_ lengths: ValueID, name: String) -> String {
        if let column = lengthColumns[lengths] { return column }
        let axes = builder.integers(name + "_column_axes", [1])
        let column = builder.node("Unsqueeze", [nhwc(lengths), axes], name: name + "_lengths")
        lengthColumns[lengths] = column
        return column
    }

    /// A bool `[batch, steps]` (then 1s up to `rank`): whether each step comes before its example's length.
    mutating func stepMask(_ lengths: ValueID, steps: Int, rank: Int, name: String) -> String {
        let key = "\(lengths) \(steps) \(rank)"
        if let mask = stepMasks[key] { return mask }
        var mask: String
        if rank > 2 {
            let axes = builder.integers(name + "_mask_axes", Array(2..<rank))
            mask = builder.node("Unsqueeze", [stepMask(lengths, steps: steps, rank: 2, name: name), axes], name: name + "_real_steps")
        } else {
            let positions = builder.constant(name + "_positions", (0..<steps).map(Float.init), shape: [1, steps])
            mask = builder.node("Less", [positions, lengthsColumn(lengths, name: name)], name: name + "_real")
        }
        stepMasks[key] = mask
        return mask
    }

    /// `x` `[batch, steps, ...]` with every step at or past its length set to `fill` (exactly, whatever `x` holds there).
    mutating func masked(_ x: String, lengths: ValueID, shape: [Int], fill: Float, name: String) -> String {
        let mask = stepMask(lengths, steps: shape[1], rank: shape.count, name: name)
        let value = builder.constant(name + "_fill", [fill], shape: [])
        return builder.node("Where", [mask, x, value], name: name)
    }

    mutating func maskSteps(_ x: ValueID, lengths: ValueID, name: String) -> String {
        masked(nhwc(x), lengths: lengths, shape: graph.shape(of: x), fill: 0, name: name)
    }

    /// `[batch, steps, channels] -> [batch, channels]` over each example's real steps: the sum over
    /// `max(length, 1)` (0 for an empty example), or the maximum (0 for an empty example).
    mutating func sequencePool(_ x: ValueID, lengths: ValueID, maximum: Bool, name: String) -> String {
        let shape = graph.shape(of: x)
        let axes = builder.integers(name + "_axes", [1])
        let column = lengthsColumn(lengths, name: name)
        if maximum {
            let real = masked(nhwc(x), lengths: lengths, shape: shape, fill: -.infinity, name: name + "_steps")
            let peak = builder.node("ReduceMax", [real, axes], name: name + "_peak", attributes: [Attribute.int("keepdims", 0)])
            let zero = builder.constant(name + "_zero", [0], shape: [])
            let nonempty = builder.node("Greater", [column, zero], name: name + "_nonempty")
            return builder.node("Where", [nonempty, peak, zero], name: name)
        }
        let real = masked(nhwc(x), lengths: lengths, shape: shape, fill: 0, name: name + "_steps")
        let sum = builder.node("ReduceSum", [real, axes], name: name + "_sum", attributes: [Attribute.int("keepdims", 0)])
        let one = builder.constant(name + "_one", [1], shape: []), most = builder.constant(name + "_most", [Float(shape[1])], shape: [])
        let count = builder.node("Clip", [column, one, most], name: name + "_count")
        return builder.node("Div", [sum, count], name: name)
    }

    /// The concats of a forward and a reverse recurrent direction over the same input and lengths
    /// (a bidirectional layer, as `Lower.recurrentLayer` makes it) that nothing else reads.
    mutating func findBidirectionalLayers() {
        var readers: [ValueID: Int] = [:]
        for node in graph.nodes { for operand in node.op.operands { readers[operand, default: 0] += 1 } }
        if let prediction = graph.prediction { readers[prediction, default: 0] += 1 }
        for (value, node) in graph.nodes.enumerated() {
            guard case .concat(let parts, let axis) = node.op, parts.count == 2,
                  case .recurrent(let x, _, _, _, _, let lengths, let forward) = graph.nodes[parts[0]].op,
                  case .recurrent(let reverseX, _, _, _, _, let reverseLengths, let reverse) = graph.nodes[parts[1]].op,
                  x == reverseX, lengths == reverseLengths, !forward.reverse, reverse.reverse,
                  forward.cell == reverse.cell, forward.units == reverse.units, forward.returnsSequences == reverse.returnsSequences,
                  axis == (forward.returnsSequences ? 2 : 1), readers[parts[0]] == 1, readers[parts[1]] == 1 else { continue }
            bidirectional[value] = (parts[0], parts[1])
            fusedDirections.formUnion(parts)
        }
    }

    /// An LSTM or GRU of one direction, or of both (`directions`: the forward then the reverse
    /// recurrent node, over the same input and lengths): ONNX's op on the time-major input, the
    /// weights' gates in ONNX's order (LSTM `i, o, f, c` from PyTorch's `i, f, g, o`; GRU `z, r, h`
    /// from `r, z, n`, with `linear_before_reset`, PyTorch's GRU), `sequence_lens` from the lengths
    /// (onnxruntime runs a reverse direction from each example's last real step and zeroes the
    /// outputs past its length; the steps are masked all the same). Returns `[batch, steps,
    /// directions * units]` or the final states `[batch, directions * units]`, the forward
    /// direction's first (dlc's concat).
    mutating func recurrent(_ directions: [ValueID], name: String) throws(ONNXExportError) -> String {
        guard case .recurrent(let x, _, _, _, _, let lengths, let attributes) = graph.nodes[directions[0]].op else {
            preconditionFailure("internal: %\(directions[0]) is no recurrent node")
        }
        let shape = graph.shape(of: x)
        let (steps, inputs, units) = (shape[1], shape[2], attributes.units)
        let order = Self.onnxGateOrder(attributes.cell)
        let width = attributes.cell.gates * units
        func values(_ value: ValueID, _ shape: [Int]) throws(ONNXExportError) -> [Float] {
            let (index, actual) = try parameterSource(value)
            guard actual.reduce(1, *) == shape.reduce(1, *) else {
                throw .parameters("`\(graph.parameters[index].name)` is shaped \(actual), a recurrent layer of \(units) units needs \(shape)")
            }
            return model.parameters[index]
        }
        var w: [Float] = [], r: [Float] = [], b: [Float] = []
        for direction in directions {
            guard case .recurrent(_, let weightInput, let weightHidden, let biasInput, let biasHidden, _, _) = graph.nodes[direction].op else {
                preconditionFailure("internal: %\(direction) is no recurrent node")
            }
            w += Self.onnxGateRows(try values(weightInput, [inputs, width]), rows: inputs, units: units, order: order)
            r += Self.onnxGateRows(try values(weightHidden, [units, width]), rows: units, units: units, order: order)
            b += Self.onnxGateRows(try values(biasInput, [width]), rows: 1, units: units, order: order)
                + Self.onnxGateRows(try values(biasHidden, [width]), rows: 1, units: units, order: order)
        }
        let count = directions.count
        let direction = count == 2 ? "bidirectional" : attributes.reverse ? "reverse" : "forward"
        let base = count == 1 && attributes.reverse ? name + "_reverse" : name
        var operands = [timeMajorInput(x, name: name), builder.initializer(base + ".W", shape: [count, width, inputs], values: w),
                        builder.initializer(base + ".R", shape: [count, width, units], values: r),
                        builder.initializer(base + ".B", shape: [count, 2 * width], values: b)]
        if let lengths { operands.append(sequenceLengthsInput(lengths, name: name)) }
        var onnxAttributes = [Attribute.int("hidden_size", units), Attribute.string("direction", direction)]
        if attributes.cell == .gru { onnxAttributes.append(Attribute.int("linear_before_reset", 1)) }
        let type = attributes.cell == .lstm ? "LSTM" : "GRU"
        if attributes.returnsSequences {
            // Y [steps, directions, batch, units] -> [batch, steps, directions, units] -> [batch, steps, directions * units]
            let y = builder.node(type, operands, name: base, attributes: onnxAttributes, outputs: ["_Y"])[0]
            let batchMajor = builder.node("Transpose", [y], name: base + "_batch_major", attributes: [Attribute.ints("perm", [2, 0, 1, 3])])
            let sequences = builder.node("Reshape", [batchMajor, builder.integers(base + "_shape", [-1, steps, count * units])],
                                         name: base + "_sequences")
            guard let lengths else { return sequences }
            return masked(sequences, lengths: lengths, shape: [shape[0], steps, count * units], fill: 0, name: base + "_masked")
        }
        // Y_h [directions, batch, units] -> [batch, directions * units]
        let final = builder.node(type, operands, name: base, attributes: onnxAttributes, outputs: [nil, "_Y_h"])[1]
        if count == 1 { return builder.node("Squeeze", [final, builder.integers(base + "_direction", [0])], name: base + "_final") }
        let batchMajor = builder.node("Transpose", [final], name: base + "_batch_major", attributes: [Attribute.ints("perm", [1, 0, 2])])
        return builder.node("Reshape", [batchMajor, builder.integers(base + "_shape", [-1, count * units])], name: base + "_final")
    }

    /// `x` `[batch, steps, inputs]` as `[steps, batch, inputs]` (ONNX's recurrent ops are time-major:
    /// onnxruntime does not take `layout` 1), made once.
    private mutating func timeMajorInput(_ x: ValueID, name: String) -> String {
        if let made = timeMajor[x] { return made }
        let made = builder.node("Transpose", [nhwc(x)], name: name + "_time_major", attributes: [Attribute.ints("perm", [1, 0, 2])])
        timeMajor[x] = made
        return made
    }

    /// The lengths as ONNX's int32 `sequence_lens`, made once.
    private mutating func sequenceLengthsInput(_ lengths: ValueID, name: String) -> String {
        if let made = sequenceLens[lengths] { return made }
        let made = builder.node("Cast", [nhwc(lengths)], name: name + "_sequence_lens", attributes: [Attribute.int("to", 6)])
        sequenceLens[lengths] = made
        return made
    }

    /// For each of ONNX's gates, the index of dlc's (PyTorch's) gate it is.
    static func onnxGateOrder(_ cell: RecurrentCell) -> [Int] {
        switch cell {
        case .lstm: return [0, 3, 1, 2]  // i, o, f, c <- i, f, g, o
        case .gru: return [1, 0, 2]      // z, r, h <- r, z, n
        }
    }

    /// dlc's `[rows, gates * units]` (a bias: one row) as ONNX's `[gates * units, rows]`, gates in `order`:
    /// ONNX row `k * units + j` is dlc column `order[k] * units + j`.
    static func onnxGateRows(_ values: [Float], rows: Int, units: Int, order: [Int]) -> [Float] {
        let width = order.count * units
        precondition(values.count == rows * width, "internal: \(values.count) recurrent weights for [\(rows), \(width)]")
        var result = [Float](repeating: 0, count: values.count)
        for (k, gate) in order.enumerated() {
            for j in 0..<units {
                let column = gate * units + j, target = (k * units + j) * rows
                for row in 0..<rows { result[target + row] = values[row * width + column] }
            }
        }
        return result
    }
}
