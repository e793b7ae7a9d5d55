import DLCGraph

/// The `planBuffers` pass: one arena per plan, buffers reused after their last reader (first fit
/// over a free list, by first and last use), views sharing their operand's buffer.
public enum PlanBuffers {
    /// Offsets are aligned to 16 floats (64 bytes) for vector loads.
    static let alignment = 16

    /// With `gradientBlock`, the parameters' gradients go side by side at the arena's start (see
    /// `BufferPlan.gradientBlock`), at the cost of their buffers' reuse before they are made.
    public static func plan(_ graph: Graph, gradientBlock wantsGradientBlock: Bool = false) -> BufferPlan {
        let count = graph.nodes.count
        // The buffer each value lives in: itself, or the value a view reads from (and how far in).
        var owner = Array(0..<count)
        var viewOffset = [Int](repeating: 0, count: count)
        for (index, node) in graph.nodes.enumerated() where node.op.isView {
            let operand = node.op.operands[0]
            owner[index] = owner[operand]
            viewOffset[index] = viewOffset[operand]
            if case .slice(_, let start) = node.op { viewOffset[index] += start }
        }
        // Last use of each buffer (over every view of it); outputs and inputs live throughout.
        var lastUse = Array(0..<count)
        for (index, node) in graph.nodes.enumerated() {
            for operand in node.op.operands { lastUse[owner[operand]] = max(lastUse[owner[operand]], index) }
            lastUse[owner[index]] = max(lastUse[owner[index]], index)
        }
        // The executor runs a convolution and the bias + activation reading it as one kernel that
        // writes the latter's buffer while it still reads the convolution's input (see
        // `InstructionBuilder`), so that input lives until the bias + activation has run.
        for (index, node) in graph.nodes.enumerated() {
            guard case .biasActivation(let x, _, _) = node.op, case .conv2d(let input, _, _, _) = graph.nodes[x].op else { continue }
            lastUse[owner[input]] = max(lastUse[owner[input]], index)
        }
        for output in graph.outputs { lastUse[owner[output]] = count }
        var firstUse = Array(0..<count)
        for (index, node) in graph.nodes.enumerated() where node.op.isSource { firstUse[index] = 0; lastUse[index] = max(lastUse[index], count) }

        var offsets = [Int?](repeating: nil, count: count)
        var free: [(offset: Int, size: Int)] = []
        var arenaSize = 0
        var unshared = 0
        // Asked for, the parameters' gradients (which live to the end) go side by side at the
        // arena's start, then the step's scalars: one block a data-parallel step sums in place.
        var gradientBlock: Range<Int>?
        let gradients = graph.gradients
        if wantsGradientBlock, !gradients.isEmpty, Set(gradients).count == gradients.count,
           gradients.allSatisfy({ !graph.nodes[$0].op.isView && owner[$0] == $0 && !graph.nodes[$0].op.isSource }) {
            for value in gradients {
                offsets[value] = arenaSize
                arenaSize += size(graph.nodes[value], in: graph)
            }
            unshared += arenaSize
            arenaSize += BufferPlan.stepScalarCount
            gradientBlock = 0..<arenaSize
        }
        var live: [(value: Int, end: Int)] = []
        let order = (0..<count).sorted { (firstUse[$0], $0) < (firstUse[$1], $1) }
        for index in order {
            let node = graph.nodes[index]
            if case .parameter = node.op { continue }
            if node.op.isView || offsets[index] != nil { continue }
            // Release buffers whose last reader ran before this node.
            live.removeAll { entry in
                guard entry.end < firstUse[index] else { return false }
                if let offset = offsets[entry.value] { release(offset, size(graph.nodes[entry.value], in: graph), into: &free) }
                return true
            }
            let bytes = size(node, in: graph)
            unshared += bytes
            if let slot = free.firstIndex(where: { $0.size >= bytes }) {
                offsets[index] = free[slot].offset
                if free[slot].size == bytes { free.remove(at: slot) } else { free[slot] = (free[slot].offset + bytes, free[slot].size - bytes) }
            } else {
                // Grow the arena, absorbing a free block at its end.
                if let last = free.last, last.offset + last.size == arenaSize {
                    offsets[index] = last.offset
                    free.removeLast()
                    arenaSize = last.offset + bytes
                } else {
                    offsets[index] = arenaSize
                    arenaSize += bytes
                }
            }
            live.append((index, lastUse[index]))
        }
        for (index, node) in graph.nodes.enumerated() where node.op.isView {
            offsets[index] = offsets[owner[index]].map { $0 + viewOffset[index] }
        }
        // One scratch region after everything else serves every op that needs one while it runs.
        let scratch = graph.nodes.map { $0.op.scratchSize(in: graph) }.max() ?? 0
        let scratchOffset = arenaSize
        arenaSize += (scratch + alignment - 1) / alignment * alignment
        return BufferPlan(offsets: offsets, arenaSize: arenaSize, unsharedSize: unshared + scratch,
                          scratchOffset: scratchOffset, scratchSize: scratch, gradientBlock: gradientBlock)
    }

    /// A value's buffer size in floats (with what it keeps for its gradient), rounded up to the alignment.
    private static func size(_ node: Node, in graph: Graph) -> Int {
        let floats = node.elementCount + node.op.auxiliarySize(in: graph)
        return (floats + alignment - 1) / alignment * alignment
    }

    /// Returns a block to the free list, merging it with its neighbours.
    private static func release(_ offset: Int, _ size: Int, into free: inout [(offset: Int, size: Int)]) {
        free.append((offset, size))
        free.sort { $0.offset < $1.offset }
        var merged: [(offset: Int, size: Int)] = []
        for block in free {
            if let last = merged.last, last.offset + last.size == block.offset {
                merged[merged.count - 1].size += block.size
            } else {
                merged.append(block)
            }
        }
        free = merged
    }
}

extension Op {
    /// Whether the trainer writes this value before a run (features, labels, targets).
    var isSource: Bool {
        switch self {
        case .features, .labels, .targets: return true
        case .parameter, .dropoutMask, .matmul, .addBias, .activation, .biasActivation, .softmax, .multiply, .reshape,
             .oneHot, .loss, .lossGradient, .matmulGradientLeft, .matmulGradientRight, .sumToLastAxis,
             .activationGradient, .activationGradientFromOutput, .softmaxGradient, .add, .conv2d, .maxPool, .averagePool,
             .batchNorm, .slice, .conv2dInputGradient, .conv2dWeightGradient, .maxPoolGradient, .averagePoolGradient,
             .batchNormGradient, .concat, .narrow, .globalAveragePool, .globalMaxPool, .layerNorm, .globalAveragePoolGradient,
             .globalMaxPoolGradient, .layerNormGradient, .embedding, .embeddingGradient, .sequenceLengths, .strideLengths, .maskSteps,
             .recurrent, .recurrentGradient, .sequencePool, .sequencePoolGradient, .attention, .attentionGradient:
            return false
        }
    }
}
