import DLCGraph

/// Holds the optimizer state (momentum / moment buffers) for a fixed list of parameter tensors, allocated once.
///
/// The update rules are PyTorch 2.x's single-tensor (`foreach=False`) implementations of `torch.optim.SGD`,
/// `Adam`, `AdamW` and `RMSprop`, computed in float32 with the per-step scalars (bias corrections, step
/// sizes) in double, as PyTorch does; see `UpdateRules` for the element-wise math.
///
/// State tensors, named like the keys of PyTorch's `optimizer.state[p]` (`momentum_buffer` is `momentum`):
/// - sgd: `momentum` when `momentum != 0`
/// - adam, adamw: `exp_avg`, `exp_avg_sq`
/// - rmsprop: `square_avg`, then `momentum` when `momentum > 0`, then `grad_avg` when `centered`
///
/// Where PyTorch would refuse a configuration (nesterov without momentum), this runs the nearest
/// valid one (plain SGD); the spec checker is the place to report it.
public final class Optimizer {
    public let configuration: OptimizerConfiguration
    /// Element count of each parameter tensor, in the order `step` receives them.
    public let parameterCounts: [Int]
    /// Completed calls to `step`; PyTorch's `state[p]["step"]`. Settable inside the runtime to restore a checkpoint.
    public internal(set) var stepCount: Int = 0

    /// The state tensor names, in the order `stateTensors(parameter:)` returns them.
    public let stateNames: [String]
    /// One zero-initialised allocation holding every state tensor of every parameter.
    private let storage: UnsafeMutableBufferPointer<Float>
    /// `state[s][i]`: state tensor `stateNames[s]` of parameter `i`, `parameterCounts[i]` values inside `storage`.
    private let state: [[UnsafeMutablePointer<Float>]]
    /// The hyperparameters as PyTorch sees them (Python doubles), derived once.
    private let scalars: UpdateRules.Hyperparameters

    /// Allocates zeroed state for parameter tensors of `parameterCounts` elements.
    public init(_ configuration: OptimizerConfiguration, parameterCounts: [Int]) {
        precondition(parameterCounts.allSatisfy { $0 >= 0 }, "internal: negative parameter count")
        self.configuration = configuration
        self.parameterCounts = parameterCounts
        self.stateNames = Optimizer.stateNames(for: configuration)
        self.scalars = UpdateRules.Hyperparameters(configuration)

        let total = parameterCounts.reduce(0, +)
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(total * stateNames.count, 1))
        storage.initialize(repeating: 0)
        self.storage = storage
        var state: [[UnsafeMutablePointer<Float>]] = []
        var offset = 0
        for _ in stateNames {
            var perParameter: [UnsafeMutablePointer<Float>] = []
            for count in parameterCounts {
                perParameter.append(storage.baseAddress.unsafelyUnwrapped + offset)
                offset += count
            }
            state.append(perParameter)
        }
        self.state = state
    }

    deinit {
        storage.deallocate()
    }

    /// The state tensor names a configuration keeps, matching PyTorch's lazily created state entries.
    public static func stateNames(for configuration: OptimizerConfiguration) -> [String] {
        switch configuration.kind {
        case .sgd:
            return configuration.momentum != 0 ? ["momentum"] : []
        case .adam, .adamw:
            return ["exp_avg", "exp_avg_sq"]
        case .rmsprop:
            var names = ["square_avg"]
            if configuration.momentum > 0 { names.append("momentum") }
            if configuration.centered { names.append("grad_avg") }
            return names
        }
    }

    /// One update of every parameter tensor: parameters[i] -= ... from gradients[i] (count parameterCounts[i]). No allocation.
    ///
    /// `learningRate` is this step's rate (after any schedule); the configuration's own rate is not used here.
    /// Gradients are read, never written (weight decay is folded in per element, like PyTorch's `grad.add(p)`).
    public func step(parameters: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>],
                     learningRate: Float) {
        precondition(parameters.count == parameterCounts.count && gradients.count == parameterCounts.count,
                     "internal: optimizer got \(parameters.count) parameters and \(gradients.count) gradients, "
                     + "expected \(parameterCounts.count)")
        stepCount += 1
        let lr = Double(learningRate)
        switch configuration.kind {
        case .sgd:
            let rule = UpdateRules.SGD(scalars, learningRate: lr, isFirstStep: stepCount == 1)
            let hasMomentum = !stateNames.isEmpty
            for i in 0..<parameterCounts.count {
                let momentum = hasMomentum ? state[0][i] : nil
                Self.inChunks(parameterCounts[i]) { o, n in
                    rule.apply(parameters[i] + o, gradients[i] + o, momentum: momentum.map { $0 + o }, count: n)
                }
            }
        case .adam, .adamw:
            let rule = UpdateRules.Adam(scalars, learningRate: lr, step: stepCount,
                                        decoupled: configuration.kind == .adamw)
            for i in 0..<parameterCounts.count {
                let (m, v) = (state[0][i], state[1][i])
                Self.inChunks(parameterCounts[i]) { o, n in
                    rule.apply(parameters[i] + o, gradients[i] + o, expAvg: m + o, expAvgSquare: v + o, count: n)
                }
            }
        case .rmsprop:
            let rule = UpdateRules.RMSprop(scalars, learningRate: lr)
            let momentumIndex = configuration.momentum > 0 ? 1 : -1
            let gradAvgIndex = configuration.centered ? stateNames.count - 1 : -1
            for i in 0..<parameterCounts.count {
                let square = state[0][i]
                let momentum = momentumIndex >= 0 ? state[momentumIndex][i] : nil
                let gradAverage = gradAvgIndex >= 0 ? state[gradAvgIndex][i] : nil
                Self.inChunks(parameterCounts[i]) { o, n in
                    rule.apply(parameters[i] + o, gradients[i] + o, squareAvg: square + o, momentum: momentum.map { $0 + o },
                               gradAvg: gradAverage.map { $0 + o }, count: n)
                }
            }
        }
    }

    /// Tensors at least this large are updated by two threads at once (every rule is elementwise).
    static let parallelThreshold = 1 << 16

    /// Runs `body(offset, count)` over `count` elements: in two halves on two threads for large
    /// tensors (unless the run has one thread), in one piece otherwise.
    private static func inChunks(_ count: Int, _ body: (Int, Int) -> Void) {
        guard count >= parallelThreshold, Parallel.defaultThreadCount >= 2 else {
            body(0, count)
            return
        }
        let half = (count / 2 + 15) / 16 * 16
        // The halves touch disjoint elements, so running them at once is safe.
        Parallel.run(parts: 2) { part in part == 0 ? body(0, half) : body(half, count - half) }
    }

    /// The state tensors by name suffix, for checkpoints (e.g. "momentum", "exp_avg", "exp_avg_sq", "square_avg", "grad_avg"), per parameter index.
    ///
    /// The buffers are the optimizer's own memory: writing into them (with `stepCount`) restores a checkpoint.
    public func stateTensors(parameter index: Int) -> [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        precondition(parameterCounts.indices.contains(index), "internal: no parameter \(index) in the optimizer")
        return stateNames.indices.map { s in
            (name: stateNames[s], values: UnsafeMutableBufferPointer(start: state[s][index],
                                                                      count: parameterCounts[index]))
        }
    }
}

