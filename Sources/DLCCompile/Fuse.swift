import DLCGraph

/// The `fuse` pass: stable fused losses and bias + activation, then dead-code elimination.
///
/// - `loss(cross_entropy, softmax(z))` -> `loss(softmax_cross_entropy, z)`, and its gradient
///   `softmax_gradient(loss_gradient(...))` -> one `loss_gradient(softmax_cross_entropy, z)`;
///   the prediction becomes the logits `z`.
/// - `loss(binary_cross_entropy, sigmoid(z))` -> `loss(sigmoid_binary_cross_entropy, z)`, likewise.
/// - `activation(add_bias(x, b))` -> `bias_activation(x, b)` when the sum has no other reader and
///   the activation's derivative needs only its output.
public enum Fuse {
    public static func fuse(_ input: Graph) -> Graph {
        var graph = input
        fuseLosses(&graph)
        fuseBiasActivations(&graph)
        fusePoolingThroughReLU(&graph)
        return eliminateDeadCode(graph)
    }

    /// `relu_gradient(max_pool_gradient(dy))` -> one `max_pool_gradient` through the relu: one pass
    /// over the large pre-pooling tensor instead of two.
    private static func fusePoolingThroughReLU(_ graph: inout Graph) {
        let users = graph.users()
        for index in graph.nodes.indices {
            guard case .activationGradientFromOutput(let output, let gradient, let f) = graph.nodes[index].op, f.kind == .relu,
                  case .maxPoolGradient(let dy, let pooled, let input, let window, false) = graph.nodes[gradient].op,
                  input == output, users[gradient].count == 1, !graph.outputs.contains(gradient) else { continue }
            graph.nodes[index].op = .maxPoolGradient(dy: dy, pooled: pooled, input: input, window, throughReLU: true)
        }
    }

    private static func fuseLosses(_ graph: inout Graph) {
        guard let loss = graph.loss, case .loss(let kind, let prediction, let target, let weights) = graph.nodes[loss].op else { return }
        let fused: LossKind
        let logits: ValueID
        switch (kind, graph.nodes[prediction].op) {
        case (.crossEntropy(let smoothing), .softmax(let z)):
            fused = .softmaxCrossEntropy(labelSmoothing: smoothing)
            logits = z
        case (.binaryCrossEntropy, .activation(let z, let f)) where f.kind == .sigmoid:
            fused = .sigmoidBinaryCrossEntropy
            logits = z
        default:
            return
        }
        graph.nodes[loss].op = .loss(fused, prediction: logits, target: target, weights: weights)
        // The backward pair becomes one fused gradient, written where the pair's result was.
        for index in graph.nodes.indices {
            switch graph.nodes[index].op {
            case .softmaxGradient(prediction, let dy), .activationGradientFromOutput(prediction, let dy, _):
                if case .lossGradient = graph.nodes[dy].op {
                    graph.nodes[index].op = .lossGradient(fused, prediction: logits, target: target, weights: weights)
                }
            default:
                continue
            }
        }
        graph.prediction = logits
        graph.predictionIsLogits = true
    }

    private static func fuseBiasActivations(_ graph: inout Graph) {
        let users = graph.users()
        for index in graph.nodes.indices {
            guard case .activation(let sum, let f) = graph.nodes[index].op, f.kind.hasDerivativeFromOutput,
                  case .addBias(let x, let bias) = graph.nodes[sum].op,
                  users[sum].count == 1, !graph.outputs.contains(sum) else { continue }
            graph.nodes[index].op = .biasActivation(x, bias: bias, f)
        }
    }

    /// Keeps the nodes the outputs need (and every parameter), renumbered in their order.
    static func eliminateDeadCode(_ graph: Graph) -> Graph {
        var live = [Bool](repeating: false, count: graph.nodes.count)
        var stack = graph.outputs
        for (index, node) in graph.nodes.enumerated() {
            if case .parameter = node.op { stack.append(index) }
        }
        while let value = stack.popLast() {
            guard !live[value] else { continue }
            live[value] = true
            stack += graph.nodes[value].op.operands
        }
        var renumber = [ValueID](repeating: -1, count: graph.nodes.count)
        var result = graph
        result.nodes = []
        for (index, node) in graph.nodes.enumerated() where live[index] {
            renumber[index] = result.nodes.count
            result.nodes.append(Node(op: node.op.mapOperands { renumber[$0] }, shape: node.shape, label: node.label))
        }
        result.loss = graph.loss.map { renumber[$0] }
        result.prediction = graph.prediction.map { renumber[$0] }
        result.gradients = graph.gradients.map { renumber[$0] }
        return result
    }
}
