import DLCCheck
import DLCData
import DLCGraph
import DLCSpec

/// The passes in order, with the verifier after each: lower -> differentiate -> fuse -> planBuffers.
public enum Compiler {
    /// The stages `dlc compile --stage` can show.
    public enum Stage: String, CaseIterable, Sendable {
        case lowered, differentiated, fused, planned
    }

    /// The graph after `stage` (training mode), with its buffer plan for `planned`.
    public static func graph(_ model: CheckedModel, batchSize: Int, stage: Stage,
                             keepsConvolutionColumns: Bool = true) throws(CompileError) -> (Graph, BufferPlan?) {
        let lowered = try Lower.lower(model, batchSize: batchSize, mode: .training, keepsConvolutionColumns: keepsConvolutionColumns)
        verify(lowered, after: "lower")
        if stage == .lowered { return (lowered, nil) }
        let differentiated = Differentiate.differentiate(lowered)
        verify(differentiated, after: "differentiate")
        if stage == .differentiated { return (differentiated, nil) }
        let fused = Fuse.fuse(differentiated)
        verify(fused, after: "fuse")
        if stage == .fused { return (fused, nil) }
        return (fused, PlanBuffers.plan(fused))
    }

    /// The fused training graph and its plan; with `gradientBlock` (data-parallel training) the
    /// plan lays the gradients side by side for the ranks' sum (`BufferPlan.gradientBlock`).
    public static func trainingPlan(_ model: CheckedModel, batchSize: Int, keepsConvolutionColumns: Bool = true,
                                    gradientBlock: Bool = false) throws(CompileError) -> (Graph, BufferPlan) {
        let (graph, _) = try self.graph(model, batchSize: batchSize, stage: .fused, keepsConvolutionColumns: keepsConvolutionColumns)
        return (graph, PlanBuffers.plan(graph, gradientBlock: gradientBlock))
    }

    /// The fused evaluation (`.evaluation`) or inference (`.inference`) graph and its plan.
    public static func forwardPlan(_ model: CheckedModel, batchSize: Int, mode: GraphMode) throws(CompileError) -> (Graph, BufferPlan) {
        let lowered = try Lower.lower(model, batchSize: batchSize, mode: mode)
        let fused = mode == .inference ? Fuse.eliminateDeadCode(lowered) : Fuse.fuse(lowered)
        verify(fused, after: "fuse")
        return (fused, PlanBuffers.plan(fused))
    }

    /// A broken invariant after a pass is a bug in the pass.
    static func verify(_ graph: Graph, after pass: String) {
        let problems = Verifier.problems(in: graph)
        if !problems.isEmpty {
            preconditionFailure("internal: the graph after `\(pass)` is invalid: " + problems.prefix(5).joined(separator: "; "))
        }
    }

    /// The runtime's view of the spec's optimizer and training sections.
    public static func configuration(_ spec: Spec) -> TrainingConfiguration {
        let optimizer = spec.optimizer?.value ?? OptimizerSpec(kind: .adam, learningRate: 0.001)
        var configuration = OptimizerConfiguration(kind: OptimizerConfiguration.Kind(rawValue: optimizer.kind.rawValue) ?? .adam,
                                                   learningRate: Float(optimizer.learningRate))
        configuration.momentum = Float(optimizer.momentum)
        configuration.nesterov = optimizer.nesterov
        configuration.beta1 = Float(optimizer.beta1)
        configuration.beta2 = Float(optimizer.beta2)
        configuration.epsilon = Float(optimizer.epsilon)
        configuration.weightDecay = Float(optimizer.weightDecay)
        configuration.rho = Float(optimizer.rho)
        configuration.centered = optimizer.centered
        let training = spec.training
        let schedule = training?.schedule.map { located -> ScheduleConfiguration in
            let kind: ScheduleConfiguration.Kind
            switch located.value.kind {
            case .step(let stepSize, let gamma): kind = .step(stepSize: stepSize, gamma: Float(gamma))
            case .exponential(let gamma): kind = .exponential(gamma: Float(gamma))
            case .cosine(let minimum): kind = .cosine(minimumLearningRate: Float(minimum))
            }
            return ScheduleConfiguration(kind: kind, warmupEpochs: located.value.warmupEpochs)
        }
        let stopping = training?.earlyStopping.map {
            EarlyStoppingConfiguration(monitor: $0.value.monitor.value, patience: $0.value.patience,
                                       minimumDelta: Float($0.value.minDelta), restoreBest: $0.value.restoreBest)
        }
        return TrainingConfiguration(optimizer: configuration, schedule: schedule, clipNorm: training?.clipNorm.map(Float.init),
                                     epochs: training?.epochs?.value ?? 1, batchSize: training?.batchSize.value ?? 32,
                                     seed: UInt64(training?.seed ?? 0), earlyStopping: stopping)
    }
}
