import DLCGraph

/// Resolves each node of a planned graph to an instruction with its pointers and sizes.
struct InstructionBuilder {
    let executor: Executor
    /// oneDNN's convolution for each geometry the graph convolves over, with the passes it needs.
    let libraryConvolutions: [ConvolutionGeometry: DNNLConvolution]

    init(executor: Executor) {
        self.executor = executor
        var passes: [ConvolutionGeometry: DNNLConvolution.Passes] = [:]
        let graph = executor.graph
        func geometry(_ x: ValueID, _ w: ValueID, _ window: WindowAttributes) -> ConvolutionGeometry {
            Self.geometry(graph.shape(of: x), graph.shape(of: w)[3], window)
        }
        for node in graph.nodes {
            switch node.op {
            case .conv2d(let x, let w, let window, _): passes[geometry(x, w, window), default: []].insert(.forward)
            case .conv2dInputGradient(_, let w, let x, let window): passes[geometry(x, w, window), default: []].insert(.inputGradient)
            case .conv2dWeightGradient(let x, _, let w, _, let window): passes[geometry(x, w, window), default: []].insert(.weightGradient)
            default: continue
            }
        }
        var convolutions: [ConvolutionGeometry: DNNLConvolution] = [:]
        for (geometry, needed) in passes { convolutions[geometry] = DNNLConvolution(geometry, passes: needed, threads: executor.threads) }
        libraryConvolutions = convolutions
    }

    func build() -> [Instruction] {
        let graph = executor.graph
        var instructions: [Instruction] = []
        var skipNext = false
        let users = graph.users()
        // Convolutions folded into the bias + activation after them: conv node -> that node.
        var foldedConvolutions: [Int: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            // Its weight gradient reads only the kept columns, not the output the fold leaves unwritten.
            guard case .biasActivation(let x, _, _) = node.op, case .conv2d = graph.nodes[x].op, !graph.outputs.contains(x),
                  users[x].allSatisfy({ user in
                      if user == index { return true }
                      if case .conv2dWeightGradient(let input, _, _, let forward, _) = graph.nodes[user].op { return forward == x && input != x }
                      return false
                  }) else { continue }
            // The planner keeps the convolution's input alive through the bias + activation, so the
            // folded kernel never writes over what it reads; a plan without that guarantee runs unfolded.
            if case .conv2d(let input, let w, let window, _) = graph.nodes[x].op,
               overlaps(input, graph.nodes[input].elementCount, index, node.elementCount) || library(input, w, window) != nil { continue }
            // (A convolution oneDNN runs writes its own output; the bias + activation then runs as its own instruction.)
            foldedConvolutions[x] = index
        }
        for (index, node) in graph.nodes.enumerated() {
            if foldedConvolutions[index] != nil {
                instructions.append(Instruction(kind: .none, node: index, name: "conv2d"))
                continue
            }
            if case .biasActivation(let x, let bias, let f) = node.op, foldedConvolutions[x] == index,
               case .conv2d(let input, let w, let window, let keeps) = graph.nodes[x].op {
                let p = { (value: ValueID) in executor.pointer(value) }
                let columns = keeps ? p(x) + graph.nodes[x].elementCount : executor.scratchPointer
                instructions.append(Instruction(
                    kind: .conv2dBiasActivation(x: p(input), w: p(w), bias: p(bias), y: p(index), f,
                                                geometry(graph.shape(of: input), graph.shape(of: w)[3], window), columns: columns),
                    node: index, name: "conv2d"))
                continue
            }
            if skipNext {
                skipNext = false
                instructions.append(Instruction(kind: .none, node: index, name: "loss_gradient"))
                continue
            }
            var kind = self.kind(index, node)
            // A loss followed by its own gradient computes both in one pass.
            if case .loss(let lossKind, let p, let t, let w, let output, let rows, let columns, nil, let scratch) = kind,
               index + 1 < graph.nodes.count,
               case .lossGradient(let nextKind, let nextP, let nextT, let nextW) = graph.nodes[index + 1].op,
               case .loss(let originalKind, let originalP, let originalT, let originalW) = node.op,
               nextKind == originalKind, nextP == originalP, nextT == originalT, nextW == originalW, nextKind == lossKind {
                kind = .loss(lossKind, prediction: p, target: t, weights: w, output: output, rows: rows, columns: columns,
                             gradient: executor.pointer(index + 1), scratch: scratch)
                skipNext = true
            }
            instructions.append(Instruction(kind: kind, node: index, name: node.op.name))
        }
        return instructions
    }

    /// oneDNN's convolution of `x` by `w`, when it runs this geometry.
    private func library(_ x: ValueID, _ w: ValueID, _ window: WindowAttributes) -> DNNLConvolution? {
        libraryConvolutions[geometry(executor.graph.shape(of: x), executor.graph.shape(of: w)[3], window)]
    }

    /// Whether the buffers of two values (`count` floats each from their pointers) share memory.
    private func overlaps(_ a: ValueID, _ aCount: Int, _ b: ValueID, _ bCount: Int) -> Bool {
        let start = executor.pointer(a), other = executor.pointer(b)
        return start < other + bCount && other < start + aCount
    }

    func geometry(_ input: [Int], _ outChannels: Int, _ window: WindowAttributes) -> ConvolutionGeometry {
        Self.geometry(input, outChannels, window)
    }

    /// The kernels' geometry for a window over `[batch, h, w, c]` giving `outChannels`.
    static func geometry(_ input: [Int], _ outChannels: Int, _ window: WindowAttributes) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: input[0], inHeight: input[1], inWidth: input[2], inChannels: input[3], outChannels: outChannels,
                            kernelHeight: window.height, kernelWidth: window.width, strideHeight: window.strideHeight,
                            strideWidth: window.strideWidth, samePadding: window.samePadding)
    }

    /// Rows and columns of a value seen as a matrix over its last axis.
    private func matrix(_ shape: [Int]) -> (rows: Int, columns: Int) {
        let columns = shape.last ?? 1
        return (shape.reduce(1, *) / max(columns, 1), columns)
    }

    private func kind(_ index: Int, _ node: Node) -> Instruction.Kind {
        let graph = executor.graph
        let p = { (value: ValueID) in executor.pointer(value) }
        let count = node.elementCount
        switch node.op {
        case .features, .labels, .targets, .parameter, .reshape, .slice:
            return .none
        case .conv2d(let x, let w, let window, let keeps):
            if let convolution = library(x, w, window) {
                return .libraryConvolution(convolution, x: p(x), w: p(w), y: p(index))
            }
            return .conv2d(x: p(x), w: p(w), y: p(index), geometry(graph.shape(of: x), graph.shape(of: w)[3], window),
                           columns: keeps ? p(index) + count : executor.scratchPointer)
        case .conv2dInputGradient(let dy, let w, let x, let window):
            if let convolution = library(x, w, window) {
                return .libraryConvolutionInputGradient(convolution, dy: p(dy), w: p(w), dx: p(index))
            }
            return .conv2dInputGradient(dy: p(dy), w: p(w), dx: p(index), geometry(graph.shape(of: x), graph.shape(of: w)[3], window),
                                        columns: executor.scratchPointer)
        case .conv2dWeightGradient(let x, let dy, let w, let forward, let window):
            if let convolution = library(x, w, window) {
                return .libraryConvolutionWeightGradient(convolution, x: p(x), dy: p(dy), dw: p(index))
            }
            // The forward convolution's kept columns already hold im2col(x).
            var kept = false
            if case .conv2d(_, _, _, true) = graph.nodes[forward].op { kept = true }
            return .conv2dWeightGradient(x: p(x), dy: p(dy), dw: p(index), geometry(graph.shape(of: x), graph.shape(of: w)[3], window),
                                         columns: kept ? p(forward) + graph.nodes[forward].elementCount : executor.scratchPointer,
                                         columnsHoldInput: kept)
        case .maxPool(let x, let window):
            let argmax = UnsafeMutableRawPointer(p(index) + count).assumingMemoryBound(to: Int32.self)
            return .maxPool(x: p(x), y: p(index), argmax: argmax, geometry(graph.shape(of: x), graph.shape(of: x)[3], window))
        case .maxPoolGradient(let dy, let pooled, let x, let window, let relu):
            let argmax = UnsafeMutableRawPointer(p(pooled) + graph.nodes[pooled].elementCount).assumingMemoryBound(to: Int32.self)
            return .maxPoolGradient(dy: p(dy), argmax: argmax, dx: p(index), geometry(graph.shape(of: x), graph.shape(of: x)[3], window),
                                    throughReLUOf: relu ? p(pooled) : nil)
        case .averagePool(let x, let window):
            return .averagePool(x: p(x), y: p(index), geometry(graph.shape(of: x), graph.shape(of: x)[3], window))
        case .averagePoolGradient(let dy, let x, let window):
            return .averagePoolGradient(dy: p(dy), dx: p(index), geometry(graph.shape(of: x), graph.shape(of: x)[3], window))
        case .batchNorm(let x, let gamma, let beta, let mean, let variance, let momentum, let epsilon, let training, let synchronized):
            let (rows, channels) = matrix(node.shape)
            if training {
                return .batchNormTraining(x: p(x), y: p(index), gamma: p(gamma), beta: p(beta), mean: p(mean), variance: p(variance),
                                          saved: p(index) + count, rows: rows, channels: channels, momentum: momentum, epsilon: epsilon,
                                          synchronized: synchronized)
            }
            return .batchNormInference(x: p(x), y: p(index), gamma: p(gamma), beta: p(beta), mean: p(mean), variance: p(variance),
                                       rows: rows, channels: channels, epsilon: epsilon)
        case .batchNormGradient(let dy, let x, let normalized, let gamma):
            let (rows, channels) = matrix(graph.shape(of: x))
            var synchronized = false
            if case .batchNorm(_, _, _, _, _, _, _, _, let flag) = graph.nodes[normalized].op { synchronized = flag }
            return .batchNormGradient(dy: p(dy), x: p(x), gamma: p(gamma), saved: p(normalized) + graph.nodes[normalized].elementCount,
                                      dx: p(index), rows: rows, channels: channels, synchronized: synchronized)
        case .dropoutMask(let rate, let stream):
            return .dropoutMask(output: p(index), count: count, rate: rate, stream: stream)
        case .matmul(let a, let b):
            let (m, k) = (graph.shape(of: a)[0], graph.shape(of: a)[1])
            return .matmul(a: p(a), b: p(b), c: p(index), m: m, n: graph.shape(of: b)[1], k: k, transposeA: false, transposeB: false)
        case .matmulGradientLeft(let dy, let right):
            // da[m, k] = dy[m, n] x right^T, right stored [k, n]
            let (m, n) = (graph.shape(of: dy)[0], graph.shape(of: dy)[1])
            return .matmul(a: p(dy), b: p(right), c: p(index), m: m, n: graph.shape(of: right)[0], k: n, transposeA: false, transposeB: true)
        case .matmulGradientRight(let left, let dy):
            // db[k, n] = left^T x dy, left stored [m, k]
            let (m, k) = (graph.shape(of: left)[0], graph.shape(of: left)[1])
            return .matmul(a: p(left), b: p(dy), c: p(index), m: k, n: graph.shape(of: dy)[1], k: m, transposeA: true, transposeB: false)
        case .addBias(let x, let bias):
            let (rows, columns) = matrix(node.shape)
            return .addBias(x: p(x), bias: p(bias), y: p(index), rows: rows, columns: columns)
        case .activation(let x, let f):
            return .activation(f, x: p(x), y: p(index), count: count)
        case .biasActivation(let x, let bias, let f):
            let (rows, columns) = matrix(node.shape)
            return .biasActivation(f, x: p(x), bias: p(bias), y: p(index), rows: rows, columns: columns)
        case .softmax(let x):
            let (rows, columns) = matrix(node.shape)
            return .softmax(x: p(x), y: p(index), rows: rows, columns: columns)
        case .multiply(let a, let b):
            return .multiply(a: p(a), b: p(b), y: p(index), count: count)
        case .add(let a, let b):
            return .add(a: p(a), b: p(b), y: p(index), count: count)
        case .oneHot(let labels, let classes):
            return .oneHot(labels: p(labels), y: p(index), rows: node.shape[0], classes: classes)
        case .loss(let kind, let prediction, let target, let weights):
            let (rows, columns) = matrix(graph.shape(of: prediction))
            return .loss(kind, prediction: p(prediction), target: p(target), weights: weights.map(p), output: p(index), rows: rows, columns: columns,
                         gradient: nil, scratch: executor.scratchPointer)
        case .lossGradient(let kind, let prediction, let target, let weights):
            let (rows, columns) = matrix(graph.shape(of: prediction))
            return .lossGradient(kind, prediction: p(prediction), target: p(target), weights: weights.map(p), gradient: p(index),
                                 rows: rows, columns: columns,
                                 scratch: executor.scratchPointer)
        case .sumToLastAxis(let dy):
            let (rows, columns) = matrix(graph.shape(of: dy))
            return .sumToLastAxis(dy: p(dy), db: p(index), rows: rows, columns: columns)
        case .activationGradient(let x, let dy, let f):
            return .activationGradient(f, x: p(x), y: p(x), dy: p(dy), dx: p(index), count: count)
        case .activationGradientFromOutput(let output, let dy, let f):
            // Every kind with a derivative from its output reads the sign of `x` from `y` (same sign).
            return .activationGradient(f, x: p(output), y: p(output), dy: p(dy), dx: p(index), count: count)
        case .softmaxGradient(let output, let dy):
            let (rows, columns) = matrix(node.shape)
            return .softmaxGradient(y: p(output), dy: p(dy), dx: p(index), rows: rows, columns: columns)
        case .concat(let values, let axis):
            // Everything from the joined axis on is one contiguous run per outer index.
            let outer = node.shape[..<axis].reduce(1, *)
            return .concat(parts: values.map(p), widths: values.map { graph.nodes[$0].elementCount / outer }, y: p(index), outer: outer)
        case .narrow(let dy, let axis, let start, _):
            let outer = node.shape[..<axis].reduce(1, *), inner = node.shape[(axis + 1)...].reduce(1, *)
            return .narrow(dy: p(dy), y: p(index), outer: outer, total: graph.nodes[dy].elementCount / outer, start: start * inner,
                           width: count / outer)
        case .embedding(let ids, let table):
            let (rows, dimension) = matrix(graph.shape(of: table))
            return .embedding(ids: p(ids), table: p(table), y: p(index), count: graph.nodes[ids].elementCount, rows: rows, dimension: dimension)
        case .embeddingGradient(let dy, let ids, let table):
            let (rows, dimension) = matrix(graph.shape(of: table))
            return .embeddingGradient(dy: p(dy), ids: p(ids), dtable: p(index), count: graph.nodes[ids].elementCount, rows: rows,
                                      dimension: dimension)
        case .globalAveragePool(let x):
            let (batch, positions, channels) = pooled(graph.shape(of: x))
            return .globalAveragePool(x: p(x), y: p(index), batch: batch, positions: positions, channels: channels)
        case .globalAveragePoolGradient(let dy, let x):
            let (batch, positions, channels) = pooled(graph.shape(of: x))
            return .globalAveragePoolGradient(dy: p(dy), dx: p(index), batch: batch, positions: positions, channels: channels)
        case .globalMaxPool(let x):
            let (batch, positions, channels) = pooled(graph.shape(of: x))
            let argmax = UnsafeMutableRawPointer(p(index) + count).assumingMemoryBound(to: Int32.self)
            return .globalMaxPool(x: p(x), y: p(index), argmax: argmax, batch: batch, positions: positions, channels: channels)
        case .globalMaxPoolGradient(let dy, let pooledValue, let x):
            let (batch, positions, channels) = pooled(graph.shape(of: x))
            let argmax = UnsafeMutableRawPointer(p(pooledValue) + graph.nodes[pooledValue].elementCount).assumingMemoryBound(to: Int32.self)
            return .globalMaxPoolGradient(dy: p(dy), argmax: argmax, dx: p(index), batch: batch, positions: positions, channels: channels)
        case .layerNorm(let x, let gamma, let beta, let epsilon):
            let (rows, features) = matrix(node.shape)
            return .layerNorm(x: p(x), y: p(index), gamma: p(gamma), beta: p(beta), saved: p(index) + count, rows: rows,
                              features: features, epsilon: epsilon)
        case .sequenceLengths(let ids):
            let (batch, steps) = matrix(graph.shape(of: ids))
            return .sequenceLengths(ids: p(ids), lengths: p(index), batch: batch, steps: steps)
        case .strideLengths(let lengths, let stride, let limit):
            return .strideLengths(lengths: p(lengths), y: p(index), batch: count, stride: stride, limit: limit)
        case .maskSteps(let x, let lengths):
            let shape = graph.shape(of: x)
            return .maskSteps(x: p(x), lengths: p(lengths), y: p(index), batch: shape[0], steps: shape[1], inner: count / (shape[0] * shape[1]))
        case .sequencePool(let x, let lengths, let maximum):
            let shape = graph.shape(of: x)
            let argmax = maximum ? UnsafeMutableRawPointer(p(index) + count).assumingMemoryBound(to: Int32.self) : nil
            return .sequencePool(x: p(x), lengths: p(lengths), y: p(index), argmax: argmax, batch: shape[0], steps: shape[1], channels: shape[2])
        case .sequencePoolGradient(let dy, let x, let pooled, let lengths, let maximum):
            let shape = graph.shape(of: x)
            let argmax = maximum ? UnsafeMutableRawPointer(p(pooled) + graph.nodes[pooled].elementCount).assumingMemoryBound(to: Int32.self) : nil
            return .sequencePoolGradient(dy: p(dy), lengths: p(lengths), argmax: argmax, dx: p(index), batch: shape[0], steps: shape[1],
                                         channels: shape[2])
        case .attention:
            return .attention(attentionKernel(index))
        case .attentionGradient(let dy, _, let forward, _, _, _):
            return .attentionGradient(attentionKernel(forward), dy: p(dy), dqkv: p(index))
        case .recurrent:
            return .recurrent(recurrentKernel(index))
        case .recurrentGradient(let dy, _, let forward, _, _, _, _):
            return .recurrentGradient(RecurrentGradientKernel(forward: recurrentKernel(forward), dy: p(dy), packed: p(index)))
        case .layerNormGradient(let dy, let x, let normalized, let gamma):
            let (rows, features) = matrix(graph.shape(of: x))
            return .layerNormGradient(dy: p(dy), x: p(x), gamma: p(gamma), saved: p(normalized) + graph.nodes[normalized].elementCount,
                                      dx: p(index), rows: rows, features: features)
        }
    }

    /// The kernel of the attention node `index`, with the scratch region.
    private func attentionKernel(_ index: ValueID) -> AttentionKernel {
        let graph = executor.graph
        let p = { (value: ValueID) in executor.pointer(value) }
        guard case .attention(let x, let lengths, let heads, let causal) = graph.nodes[index].op else {
            preconditionFailure("internal: %\(index) is not an attention node")
        }
        let shape = graph.shape(of: x)
        return AttentionKernel(qkv: p(x), lengths: lengths.map(p), output: p(index), probabilities: p(index) + graph.nodes[index].elementCount,
                               scratch: executor.scratchPointer, batch: shape[0], steps: shape[1], dimension: shape[2] / 3, heads: heads,
                               causal: causal)
    }

    /// The kernel of the recurrent node `index`, with the scratch region.
    private func recurrentKernel(_ index: ValueID) -> RecurrentKernel {
        let graph = executor.graph
        let p = { (value: ValueID) in executor.pointer(value) }
        guard case .recurrent(let x, let wi, let wh, let bi, let bh, let lengths, let attributes) = graph.nodes[index].op else {
            preconditionFailure("internal: %\(index) is not a recurrent node")
        }
        let shape = graph.shape(of: x)
        var kernel = RecurrentKernel(x: p(x), weightInput: p(wi), weightHidden: p(wh), biasInput: p(bi), biasHidden: p(bh), lengths: lengths.map(p),
                                     output: p(index), record: p(index) + graph.nodes[index].elementCount, scratch: executor.scratchPointer,
                                     batch: shape[0], steps: shape[1], inputs: shape[2], attributes: attributes)
        kernel.threads = executor.threads
        return kernel
    }

    /// `[batch, ..., channels]` as batch, positions per example and channels.
    private func pooled(_ shape: [Int]) -> (batch: Int, positions: Int, channels: Int) {
        let channels = shape.last ?? 1
        return (shape[0], shape.reduce(1, *) / max(shape[0] * channels, 1), channels)
    }
}
