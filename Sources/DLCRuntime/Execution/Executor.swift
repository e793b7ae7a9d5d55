import DLCData
import DLCGraph
import Foundation

/// Runs one planned graph: its arena is allocated once, its instructions resolved once, and a
/// step allocates nothing.
public final class Executor: @unchecked Sendable {
    public let graph: Graph
    public let plan: BufferPlan
    public let parameters: ParameterStore
    /// Threads for the work the runtime splits itself (a part of a batch's convolution per
    /// thread, large elementwise and pooling ops likewise); BLAS's own count is set by `BLASSetup.configure`
    /// (a split convolution sets it to 1 and restores it). 1 splits nothing.
    public let threads: Int
    private let arena: UnsafeMutableBufferPointer<Float>
    /// The later parts' sums of a bias gradient or of a convolution weight gradient split over
    /// the batch (the first part's go straight into the gradient).
    private(set) var partialSums: UnsafeMutableBufferPointer<Float>
    /// Floats in `partialSums` (batch norm's gradient coefficients use its first `3 * channels`).
    var partialSumCount: Int { partialSums.count }
    /// Each part's per-channel sums of a batch norm split over the rows (`2 * channels` doubles a part).
    private(set) var channelSumBuffer: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)
    private var instructions: [Instruction] = []
    /// Dropout's masks: the seed, the training step and the row of the whole batch that this
    /// plan's first row is (a rank of a data-parallel run trains on a part of each batch); see
    /// `Kernels.dropoutMask`. The trainer sets the step and the row before each run.
    public var dropoutSeed: UInt64
    public var dropoutStep = 0
    public var dropoutFirstRow = 0
    /// Multiplies the loss's gradient (not the loss): a rank of a data-parallel run scales its
    /// part's mean gradient by the part's share of the batch, so that the ranks' sum is the batch's.
    public var lossGradientScale: Float = 1
    /// The ranks a synchronized batch norm sums its statistics over (nil: one process).
    public var collective: Collective?
    /// False on a rank that runs a step only to take part in the ranks' sums (it has no rows of
    /// the batch): its synchronized batch norms add nothing.
    public var contributesRows = true
    /// Seconds spent in each instruction since the last reset, when timing is on.
    public private(set) var instructionSeconds: [Double]
    public var isTiming = false

    /// Plans must come from `planBuffers` for this graph; `seed` drives dropout; `threads`
    /// defaults to the count `BLASSetup.configure` was given (2 before any).
    public init(graph: Graph, plan: BufferPlan, parameters: ParameterStore, seed: UInt64, threads: Int? = nil) {
        self.graph = graph
        self.threads = max(1, threads ?? Parallel.defaultThreadCount)
        self.plan = plan
        self.parameters = parameters
        arena = .allocate(capacity: max(plan.arenaSize, 1))
        arena.initialize(repeating: 0)
        partialSums = .allocate(capacity: 4096)
        partialSums.initialize(repeating: 0)
        FloatingPointMode.flushDenormals()
        dropoutSeed = seed
        instructionSeconds = []
        instructions = InstructionBuilder(executor: self).build()
        var partialSize = instructions.reduce(partialSums.count) { size, instruction in
            guard case .conv2dWeightGradient(_, _, _, let geometry, _, _) = instruction.kind else { return size }
            return max(size, (Parallel.convolutionPartCount(geometry, threads: self.threads) - 1) * geometry.weightsSize)
        }
        var statisticsSize = 0
        for instruction in instructions {
            let rows: Int, channels: Int
            if case .batchNormTraining(_, _, _, _, _, _, _, let r, let c, _, _, _) = instruction.kind {
                (rows, channels) = (r, c)
            } else if case .batchNormGradient(_, _, _, _, _, let r, let c, _) = instruction.kind {
                (rows, channels) = (r, c)
            } else {
                continue
            }
            let parts = Parallel.partCount(rows, floats: rows * channels, threads: self.threads)
            if parts > 1 {
                partialSize = max(partialSize, 3 * channels)
                statisticsSize = max(statisticsSize, parts * 2 * channels)
            }
        }
        if partialSize > partialSums.count {
            partialSums.deallocate()
            partialSums = .allocate(capacity: partialSize)
            partialSums.initialize(repeating: 0)
        }
        channelSumBuffer = .allocate(capacity: max(statisticsSize, 1))
        channelSumBuffer.initialize(repeating: 0)
        instructionSeconds = Array(repeating: 0, count: instructions.count)
    }

    deinit {
        arena.deallocate()
        partialSums.deallocate()
        channelSumBuffer.deallocate()
    }

    /// Sets the dropout masks' seed and step (tests use it to repeat a step exactly).
    public func reseedDropout(_ seed: UInt64, step: Int = 0) {
        dropoutSeed = seed
        dropoutStep = step
    }

    /// The buffer of a value (a parameter's own tensor, or its place in the arena).
    public func pointer(_ value: ValueID) -> UnsafeMutablePointer<Float> {
        switch graph.nodes[value].op {
        case .parameter(let index): return parameters.tensors[index].baseAddress!
        // A parameter seen in another shape (a conv1d's kernel as a conv2d's) is the parameter's tensor.
        case .reshape(let x) where graph.nodes[x].op.isParameter: return pointer(x)
        case .slice(let x, let start) where graph.nodes[x].op.isParameter: return pointer(x) + start
        default: break
        }
        guard let offset = plan.offsets[value] else { preconditionFailure("internal: %\(value) has no buffer") }
        return arena.baseAddress! + offset
    }

    /// The plan's gradient block (`BufferPlan.gradientBlock`): every parameter gradient, then the
    /// step's scalars.
    public var gradientBlock: UnsafeMutableBufferPointer<Float>? {
        plan.gradientBlock.map { UnsafeMutableBufferPointer(rebasing: arena[$0]) }
    }

    /// The plan's shared scratch region (im2col columns, loss probabilities).
    var scratchPointer: UnsafeMutablePointer<Float> { arena.baseAddress! + plan.scratchOffset }

    /// The parameter buffers the optimizer updates, and the matching gradient buffers (resolved once,
    /// so a training step allocates nothing).
    public private(set) lazy var trainablePointers: (parameters: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>]) =
        (graph.trainableParameters.map { parameters.tensors[$0].baseAddress! }, graph.gradients.map(pointer))

    /// The value of the first node of a kind (features, labels, targets), if the graph reads it.
    public func input(_ op: Op) -> UnsafeMutablePointer<Float>? {
        graph.nodes.firstIndex { $0.op == op }.map(pointer)
    }

    /// The batch's mean loss after `run()`.
    public var loss: Float { graph.loss.map { pointer($0).pointee } ?? .nan }

    /// Runs every instruction in order.
    public func run() {
        if isTiming {
            for index in instructions.indices {
                let start = DispatchTime.now().uptimeNanoseconds
                execute(instructions[index])
                instructionSeconds[index] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            }
        } else {
            for instruction in instructions { execute(instruction) }
        }
    }

    /// Per op name, the seconds spent, for `dlc bench`.
    public func timeByOp() -> [(name: String, seconds: Double)] {
        var totals: [String: Double] = [:]
        for (instruction, seconds) in zip(instructions, instructionSeconds) { totals[instruction.name, default: 0] += seconds }
        return totals.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
    }

    /// Per instruction that took time, in execution order: its node, op name, the node's layer
    /// label and shape, and the seconds spent, for `dlc bench --by-node`.
    public func timeByNode() -> [(node: Int, name: String, label: String, shape: [Int], seconds: Double)] {
        zip(instructions, instructionSeconds).compactMap { instruction, seconds in
            if case .none = instruction.kind { return nil }
            guard seconds > 0, case let node = graph.nodes[instruction.node] else { return nil }
            return (instruction.node, instruction.name, node.label, node.shape, seconds)
        }
    }

    public func resetTiming() {
        instructionSeconds = Array(repeating: 0, count: instructions.count)
    }

    /// Floating-point operations of one run (multiply-adds count two), for GFLOP/s.
    public var flopsPerRun: Double {
        instructions.reduce(0) { total, instruction in
            switch instruction.kind {
            case .matmul(_, _, _, let m, let n, let k, _, _):
                return total + 2 * Double(m * n * k)
            case .conv2d(_, _, _, let g, _), .conv2dInputGradient(_, _, _, let g, _), .conv2dWeightGradient(_, _, _, let g, _, _),
                 .conv2dBiasActivation(_, _, _, _, _, let g, _):
                return total + 2 * Double(g.outputPixels * g.patchSize * g.outChannels)
            case .libraryConvolution(let c, _, _, _), .libraryConvolutionInputGradient(let c, _, _, _),
                 .libraryConvolutionWeightGradient(let c, _, _, _):
                return total + 2 * Double(c.geometry.outputPixels * c.geometry.patchSize * c.geometry.outChannels)
            default:
                return total
            }
        }
    }

    /// The kernels oneDNN runs this plan's convolutions with, such as `brgconv:avx512_core`, each once
    /// ("" when every convolution uses the runtime's own im2col + OpenBLAS).
    public var convolutionLibraryKernels: [String] {
        var names: [String] = []
        for instruction in instructions {
            let name: String
            switch instruction.kind {
            case .libraryConvolution(let c, _, _, _): name = c.implementation(.forward)
            case .libraryConvolutionInputGradient(let c, _, _, _): name = c.implementation(.inputGradient)
            case .libraryConvolutionWeightGradient(let c, _, _, _): name = c.implementation(.weightGradient)
            default: continue
            }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The GFLOP/s `cblas_sgemm` (or the small-matrix loop) reaches on this plan's matrix products
    /// alone, each run back to back on scratch buffers: the ceiling the whole step is compared with.
    public func isolatedMatmulGFLOPS(repeats: Int = 20) -> Double {
        var flops = 0.0, seconds = 0.0
        for instruction in instructions {
            guard case .matmul(_, _, _, let m, let n, let k, let transposeA, let transposeB) = instruction.kind else { continue }
            let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k), b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            a.initialize(repeating: 0.5, count: m * k)
            b.initialize(repeating: 0.25, count: k * n)
            defer { a.deallocate(); b.deallocate(); c.deallocate() }
            Kernels.matmul(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { Kernels.matmul(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB) }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            flops += 2 * Double(m * n * k) * Double(repeats)
        }
        return seconds > 0 ? flops / seconds / 1e9 : 0
    }
}

extension Op {
    /// A parameter (its tensor lives outside the arena).
    var isParameter: Bool {
        if case .parameter = self { return true }
        return false
    }
}
