/// Checks a graph's invariants; every pass runs it on its result in debug builds and tests.
public enum Verifier {
    /// The problems found, empty for a well-formed graph.
    public static func problems(in graph: Graph) -> [String] {
        var problems: [String] = []
        for (index, node) in graph.nodes.enumerated() {
            for operand in node.op.operands where operand < 0 || operand >= index {
                problems.append("%\(index) (\(node.op.name)) reads %\(operand), which does not come before it")
            }
            guard problems.isEmpty else { continue }
            if node.shape.isEmpty || node.shape.contains(where: { $0 <= 0 }) {
                problems.append("%\(index) (\(node.op.name)) has shape \(node.shape)")
            }
            problems += shapeProblems(index, node, graph)
        }
        for output in graph.outputs where output < 0 || output >= graph.nodes.count {
            problems.append("output %\(output) is not a value of the graph")
        }
        let trainable = graph.trainableParameters
        if !graph.gradients.isEmpty, graph.gradients.count != trainable.count {
            problems.append("\(graph.gradients.count) gradients for \(trainable.count) trainable parameters")
        }
        for (gradient, parameter) in zip(graph.gradients, trainable) where gradient < graph.nodes.count {
            if graph.nodes[gradient].shape != graph.parameters[parameter].shape {
                problems.append("the gradient of \(graph.parameters[parameter].name) is \(graph.nodes[gradient].shape), not \(graph.parameters[parameter].shape)")
            }
        }
        return problems
    }

    private static func shapeProblems(_ index: Int, _ node: Node, _ graph: Graph) -> [String] {
        let shape = { (value: ValueID) in graph.nodes[value].shape }
        let count = { (value: ValueID) in graph.nodes[value].elementCount }
        var problems: [String] = []
        func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { problems.append("%\(index) (\(node.op.name)): \(message())") }
        }
        switch node.op {
        case .features, .labels, .targets, .dropoutMask:
            break
        case .parameter(let parameter):
            expect(parameter < graph.parameters.count && graph.parameters[parameter].shape == node.shape, "parameter #\(parameter) shape")
        case .reshape(let x):
            expect(count(x) == node.elementCount, "reshape from \(shape(x)) to \(node.shape) changes the element count")
        case .slice(let x, let start):
            let available = count(x) + graph.nodes[x].op.auxiliarySize(in: graph)
            expect(start >= 0 && start + node.elementCount <= available, "slice \(start)..<\(start + node.elementCount) of \(available) floats")
        case .conv2d(let x, let w, _, _):
            expect(shape(x).count == 4 && shape(w).count == 4 && shape(x)[3] == shape(w)[2], "conv2d of \(shape(x)) with \(shape(w))")
        case .maxPool(let x, _), .averagePool(let x, _):
            expect(shape(x).count == 4, "pooling of \(shape(x))")
        case .batchNorm(let x, let gamma, let beta, let mean, let variance, _, _, _, _):
            let channels = [shape(x).last ?? 0]
            expect(shape(gamma) == channels && shape(beta) == channels && shape(mean) == channels && shape(variance) == channels,
                   "batchnorm parameters for \(shape(x))")
        case .conv2dInputGradient, .conv2dWeightGradient, .maxPoolGradient, .averagePoolGradient, .batchNormGradient,
             .globalAveragePoolGradient, .globalMaxPoolGradient, .layerNormGradient:
            break
        case .concat(let values, let axis):
            let first = shape(values[0])
            expect(values.count >= 2 && axis >= 1 && axis < first.count, "concat of \(values.count) along axis \(axis) of \(first)")
            for value in values {
                var other = shape(value), expected = first
                guard other.count == first.count, axis < first.count else { expect(false, "concat operand \(shape(value))"); continue }
                other[axis] = 0
                expected[axis] = 0
                expect(other == expected, "concat operands \(first) and \(shape(value)) differ off axis \(axis)")
            }
        case .narrow(let x, let axis, let start, let length):
            expect(axis >= 1 && axis < shape(x).count && start >= 0 && length >= 1 && start + length <= shape(x)[axis],
                   "narrow \(start)..<\(start + length) of axis \(axis) of \(shape(x))")
        case .globalAveragePool(let x), .globalMaxPool(let x):
            expect(shape(x).count >= 3, "global pooling of \(shape(x))")
        case .embedding(let ids, let table):
            expect(shape(table).count == 2 && shape(ids).count >= 1, "embedding of ids \(shape(ids)) in a table \(shape(table))")
        case .embeddingGradient(let dy, let ids, let table):
            expect(shape(dy) == shape(ids) + [shape(table).last ?? 0], "embedding gradient \(shape(dy)) for ids \(shape(ids))")
        case .sequenceLengths(let ids):
            expect(shape(ids).count == 2, "lengths of ids \(shape(ids))")
        case .strideLengths(let lengths, let stride, let limit):
            expect(shape(lengths).count == 1 && stride >= 1 && limit >= 1, "stride \(stride) of lengths \(shape(lengths))")
        case .maskSteps(let x, let lengths):
            expect(shape(x).count >= 3 && shape(lengths) == [shape(x)[0]], "mask of \(shape(x)) by lengths \(shape(lengths))")
        case .recurrent(let x, let wi, let wh, let bi, let bh, let lengths, let attributes):
            let width = attributes.cell.gates * attributes.units
            expect(shape(x).count == 3 && shape(wi) == [shape(x).last ?? 0, width] && shape(wh) == [attributes.units, width]
                   && shape(bi) == [width] && shape(bh) == [width], "recurrent weights \(shape(wi)), \(shape(wh)) for \(shape(x))")
            if let lengths { expect(shape(lengths) == [shape(x)[0]], "recurrent lengths \(shape(lengths)) for \(shape(x))") }
        case .sequencePool(let x, let lengths, _):
            expect(shape(x).count == 3 && shape(lengths) == [shape(x)[0]], "sequence pooling of \(shape(x)) by lengths \(shape(lengths))")
        case .sequencePoolGradient(let dy, _, let pooled, _, _):
            expect(shape(dy) == shape(pooled), "sequence pooling gradient \(shape(dy)) for \(shape(pooled))")
        case .attention(let x, let lengths, let heads, _):
            let width = shape(x).last ?? 0
            expect(shape(x).count == 3 && width % 3 == 0 && heads >= 1 && (width / 3) % heads == 0, "attention of \(shape(x)) with \(heads) heads")
            if let lengths { expect(shape(lengths) == [shape(x)[0]], "attention lengths \(shape(lengths)) for \(shape(x))") }
        case .attentionGradient(let dy, _, let forward, _, _, _):
            expect(shape(dy) == shape(forward), "attention gradient \(shape(dy)) for \(shape(forward))")
        case .recurrentGradient(let dy, _, let forward, _, _, _, _):
            expect(shape(dy) == shape(forward), "recurrent gradient \(shape(dy)) for an output \(shape(forward))")
        case .layerNorm(let x, let gamma, let beta, _):
            let features = [shape(x).last ?? 0]
            expect(shape(gamma) == features && shape(beta) == features, "layernorm parameters for \(shape(x))")
        case .matmul(let a, let b):
            expect(shape(a).count == 2 && shape(b).count == 2 && shape(a)[1] == shape(b)[0], "matmul of \(shape(a)) and \(shape(b))")
        case .addBias(let x, let bias), .biasActivation(let x, let bias, _):
            expect(shape(bias) == [shape(x).last ?? 0], "bias \(shape(bias)) for \(shape(x))")
        case .multiply(let a, let b), .add(let a, let b):
            expect(shape(a) == shape(b), "operands \(shape(a)) and \(shape(b)) differ")
        case .loss(_, let prediction, let target, let weights), .lossGradient(_, let prediction, let target, let weights):
            expect(count(target) == count(prediction) || count(target) == shape(prediction)[0],
                   "target \(shape(target)) for prediction \(shape(prediction))")
            if let weights {
                expect(shape(weights).count == 1 && count(target) == shape(prediction)[0], "class weights \(shape(weights)) for target \(shape(target))")
            }
        case .activationGradient(let x, let dy, _), .activationGradientFromOutput(let x, let dy, _), .softmaxGradient(let x, let dy):
            expect(shape(x) == shape(dy), "gradient \(shape(dy)) for \(shape(x))")
        case .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis, .activation, .softmax, .oneHot:
            break
        }
        if problems.isEmpty, !node.op.hasGivenShape {
            expect(node.op.outputShape(in: graph) == node.shape, "shape \(node.shape), but the rule gives \(node.op.outputShape(in: graph))")
        }
        return problems
    }
}

extension Op {
    /// Whether the node's shape is given rather than computed by `outputShape`.
    var hasGivenShape: Bool {
        switch self {
        case .features, .labels, .targets, .parameter, .dropoutMask, .reshape, .slice:
            return true
        case .matmul, .addBias, .activation, .biasActivation, .softmax, .multiply, .oneHot, .loss, .lossGradient,
             .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis, .activationGradient, .activationGradientFromOutput,
             .softmaxGradient, .add, .conv2d, .maxPool, .averagePool, .batchNorm, .conv2dInputGradient, .conv2dWeightGradient,
             .maxPoolGradient, .averagePoolGradient, .batchNormGradient, .concat, .narrow, .globalAveragePool, .globalMaxPool,
             .layerNorm, .globalAveragePoolGradient, .globalMaxPoolGradient, .layerNormGradient, .embedding, .embeddingGradient,
             .sequenceLengths, .strideLengths, .maskSteps, .recurrent, .recurrentGradient, .sequencePool, .sequencePoolGradient,
             .attention, .attentionGradient:
            return false
        }
    }
}
