import DLCGraph

/// The `differentiate` pass: reverse-mode autodiff of the loss, appending the backward graph.
///
/// Each forward op's gradient rule is one case of the `switch` below, with its math.
public enum Differentiate {
    public static func differentiate(_ forward: Graph) -> Graph {
        guard let loss = forward.loss, case .loss(let kind, let prediction, let target, let weights) = forward.nodes[loss].op else {
            preconditionFailure("internal: differentiate needs a graph with a loss")
        }
        var graph = forward
        let needsGradient = dependsOnParameters(forward)
        var adjoints = [ValueID?](repeating: nil, count: forward.nodes.count)
        // d(mean loss)/d(prediction): the loss's own rule.
        adjoints[prediction] = graph.add(.lossGradient(kind, prediction: prediction, target: target, weights: weights), label: "loss")

        func accumulate(_ value: ValueID, _ gradient: ValueID, label: String) {
            guard needsGradient[value] else { return }
            if let existing = adjoints[value] {
                adjoints[value] = graph.add(.add(existing, gradient), label: label)
            } else {
                adjoints[value] = gradient
            }
        }

        for index in stride(from: forward.nodes.count - 1, through: 0, by: -1) {
            guard let dy = adjoints[index] else { continue }
            let node = forward.nodes[index]
            let label = node.label
            switch node.op {
            case .features, .labels, .targets, .parameter, .dropoutMask, .oneHot, .loss:
                break
            case .matmul(let a, let b):
                // y = a b: da = dy b^T, db = a^T dy
                if needsGradient[a] { accumulate(a, graph.add(.matmulGradientLeft(dy: dy, right: b), label: label), label: label) }
                if needsGradient[b] { accumulate(b, graph.add(.matmulGradientRight(left: a, dy: dy), label: label), label: label) }
            case .addBias(let x, let bias):
                // y = x + b: dx = dy, db = sum of dy over the batch (and spatial) axes
                accumulate(x, dy, label: label)
                if needsGradient[bias] { accumulate(bias, graph.add(.sumToLastAxis(dy), label: label), label: label) }
            case .activation(let x, let f):
                // y = f(x): dx = f'(x) dy, from y where f allows it
                let dx = f.kind.hasDerivativeFromOutput
                    ? graph.add(.activationGradientFromOutput(output: index, dy: dy, f), label: label)
                    : graph.add(.activationGradient(input: x, dy: dy, f), label: label)
                accumulate(x, dx, label: label)
            case .biasActivation(let x, let bias, let f):
                // y = f(x + b): d = f'(.) dy from y; dx = d, db = sum of d
                let d = graph.add(.activationGradientFromOutput(output: index, dy: dy, f), label: label)
                accumulate(x, d, label: label)
                if needsGradient[bias] { accumulate(bias, graph.add(.sumToLastAxis(d), label: label), label: label) }
            case .softmax:
                // y = softmax(x): dx = y (dy - sum(dy y))
                if case .softmax(let x) = node.op {
                    accumulate(x, graph.add(.softmaxGradient(output: index, dy: dy), label: label), label: label)
                }
            case .multiply(let a, let b):
                // y = a b: da = dy b, db = dy a
                if needsGradient[a] { accumulate(a, graph.add(.multiply(dy, b), label: label), label: label) }
                if needsGradient[b] { accumulate(b, graph.add(.multiply(dy, a), label: label), label: label) }
            case .reshape(let x):
                // a view: the gradient is dy seen in x's shape
                accumulate(x, graph.add(.reshape(dy), shape: forward.nodes[x].shape, label: label), label: label)
            case .add(let a, let b):
                // y = a + b: da = dy, db = dy (a value read twice, `add(x, x)`, gets both)
                accumulate(a, dy, label: label)
                accumulate(b, dy, label: label)
            case .conv2d(let x, let w, let window, _):
                // y = x * w: dx = col2im(dy w^T), dw = im2col(x)^T dy
                if needsGradient[x] {
                    accumulate(x, graph.add(.conv2dInputGradient(dy: dy, weight: w, input: x, window), label: label), label: label)
                }
                if needsGradient[w] {
                    accumulate(w, graph.add(.conv2dWeightGradient(input: x, dy: dy, weight: w, forward: index, window), label: label), label: label)
                }
            case .maxPool(let x, let window):
                // the gradient goes to the input that won each window
                accumulate(x, graph.add(.maxPoolGradient(dy: dy, pooled: index, input: x, window, throughReLU: false), label: label), label: label)
            case .averagePool(let x, let window):
                // each cell of a window gets dy / cells
                accumulate(x, graph.add(.averagePoolGradient(dy: dy, input: x, window), label: label), label: label)
            case .batchNorm(let x, let gamma, let beta, _, _, _, _, _, _):
                // dx = invstd/n (n dxhat - sum dxhat - xhat sum(dxhat xhat)), dgamma = sum dy xhat, dbeta = sum dy
                let packed = graph.add(.batchNormGradient(dy: dy, input: x, normalized: index, gamma: gamma), label: label)
                let count = forward.nodes[x].elementCount, channels = forward.nodes[gamma].elementCount
                accumulate(x, graph.add(.slice(packed, start: 0), shape: forward.nodes[x].shape, label: label), label: label)
                accumulate(gamma, graph.add(.slice(packed, start: count), shape: [channels], label: label), label: label)
                accumulate(beta, graph.add(.slice(packed, start: count + channels), shape: [channels], label: label), label: label)
            case .layerNorm(let x, let gamma, let beta, _):
                // per row: dxhat = dy gamma; dx = invstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat));
                // dgamma = sum over rows of dy xhat, dbeta = sum over rows of dy
                let packed = graph.add(.layerNormGradient(dy: dy, input: x, normalized: index, gamma: gamma), label: label)
                let count = forward.nodes[x].elementCount, features = forward.nodes[gamma].elementCount
                accumulate(x, graph.add(.slice(packed, start: 0), shape: forward.nodes[x].shape, label: label), label: label)
                accumulate(gamma, graph.add(.slice(packed, start: count), shape: [features], label: label), label: label)
                accumulate(beta, graph.add(.slice(packed, start: count + features), shape: [features], label: label), label: label)
            case .concat(let values, let axis):
                // y = [a | b | ...] along the axis: each operand's gradient is its part of dy
                var start = 0
                for value in values {
                    let length = forward.nodes[value].shape[axis]
                    if needsGradient[value] {
                        accumulate(value, graph.add(.narrow(dy, axis: axis, start: start, length: length), label: label), label: label)
                    }
                    start += length
                }
            case .globalAveragePool(let x):
                // y = mean over positions: each position gets dy / positions
                accumulate(x, graph.add(.globalAveragePoolGradient(dy: dy, input: x), label: label), label: label)
            case .globalMaxPool(let x):
                // the gradient goes to the position that won each channel
                accumulate(x, graph.add(.globalMaxPoolGradient(dy: dy, pooled: index, input: x), label: label), label: label)
            case .embedding(let ids, let table):
                // y[i] = table[ids[i]]: the table's row r gets the sum of dy's rows whose id is r; ids get none
                if needsGradient[table] {
                    accumulate(table, graph.add(.embeddingGradient(dy: dy, ids: ids, table: table), label: label), label: label)
                }
            case .sequenceLengths, .strideLengths:
                // lengths come from the token ids: nothing to differentiate
                break
            case .maskSteps(let x, let lengths):
                // y = x on real steps, 0 past the length: dx = dy masked the same way
                accumulate(x, graph.add(.maskSteps(dy, lengths: lengths), label: label), label: label)
            case .sequencePool(let x, let lengths, let maximum):
                // mean: each real step gets dy / length; maximum: the step that won each channel gets dy
                accumulate(x, graph.add(.sequencePoolGradient(dy: dy, input: x, pooled: index, lengths: lengths, maximum: maximum), label: label),
                           label: label)
            case .attention(let qkv, let lengths, let heads, let causal):
                // per head, O = P V with P = softmax(Q K^T / sqrt(d)): dV = P^T dO, dP = dO V^T,
                // dS = P (dP - rowsum(dP P)), dQ = dS K / sqrt(d), dK = dS^T Q / sqrt(d)
                accumulate(qkv, graph.add(.attentionGradient(dy: dy, qkv: qkv, forward: index, lengths: lengths, heads: heads, causal: causal),
                                          label: label), label: label)
            case .recurrent(let x, let wi, let wh, let bi, let bh, let lengths, let attributes):
                // back-propagation through time: the gates' gradients step by step from the last step back, then
                // dx = dgates Wi^T, dWi = x^T dgates, dWh = h_prev^T dgates_hidden, db = sums of dgates
                let packed = graph.add(.recurrentGradient(dy: dy, input: x, forward: index, weightInput: wi, weightHidden: wh,
                                                          lengths: lengths, attributes), label: label)
                var start = 0
                for value in [x, wi, wh, bi, bh] {
                    if needsGradient[value] {
                        accumulate(value, graph.add(.slice(packed, start: start), shape: forward.nodes[value].shape, label: label), label: label)
                    }
                    start += forward.nodes[value].elementCount
                }
            case .slice:
                preconditionFailure("internal: differentiate reached a slice in a forward graph (%\(index))")
            case .lossGradient, .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis, .activationGradient,
                 .activationGradientFromOutput, .softmaxGradient, .conv2dInputGradient, .conv2dWeightGradient,
                 .maxPoolGradient, .averagePoolGradient, .batchNormGradient, .narrow, .globalAveragePoolGradient,
                 .globalMaxPoolGradient, .layerNormGradient, .embeddingGradient, .recurrentGradient, .sequencePoolGradient, .attentionGradient:
                preconditionFailure("internal: differentiate reached a gradient op (%\(index))")
            }
        }
        graph.gradients = forward.nodes.indices.compactMap { index -> ValueID? in
            guard case .parameter(let parameter) = forward.nodes[index].op, forward.parameters[parameter].isTrainable else { return nil }
            return adjoints[index]
        }
        if graph.gradients.count != graph.trainableParameters.count {
            preconditionFailure("internal: a parameter does not reach the loss")
        }
        return graph
    }

    /// Whether each value depends on a trainable parameter (only those need gradients).
    static func dependsOnParameters(_ graph: Graph) -> [Bool] {
        var result = [Bool](repeating: false, count: graph.nodes.count)
        for (index, node) in graph.nodes.enumerated() {
            if case .parameter(let parameter) = node.op { result[index] = graph.parameters[parameter].isTrainable; continue }
            result[index] = node.op.operands.contains { result[$0] }
        }
        return result
    }
}
