import DLCData
import DLCGraph
import Foundation

/// Trains a compiled program: seeded shuffling, one plan per batch size, the optimizer, the
/// schedule, clipping, validation every epoch and early stopping.
public final class Trainer: @unchecked Sendable {
    public let program: TrainingProgram
    public let parameters: ParameterStore
    public let optimizer: Optimizer
    /// Called after every training step (the caller throttles what it shows).
    public var onStep: ((StepReport) -> Void)?
    private var trainingExecutors: [Int: Executor] = [:]
    private var evaluationExecutors: [Int: Executor] = [:]
    private var inferenceExecutors: [Int: Executor] = [:]
    /// The largest batch used to evaluate.
    public var evaluationBatchSize = Trainer.defaultEvaluationBatchSize
    /// The ranks this trainer trains with (data parallel): each takes its part of every batch and
    /// of every evaluated split, and one sum per step adds the parts' gradients up.
    public var collective: Collective = SingleProcess()
    /// Seconds spent in the step's sum (and waiting for the other ranks at it) since `fit` began,
    /// and in the training steps all told (evaluation aside).
    public private(set) var communicationSeconds = 0.0
    public private(set) var stepSeconds = 0.0

    /// The batch size of evaluation and prediction plans unless set otherwise.
    public static let defaultEvaluationBatchSize = 256

    public init(program: TrainingProgram) {
        self.program = program
        parameters = ParameterStore(program.parameters, seed: program.configuration.seed)
        optimizer = Optimizer(program.configuration.optimizer, parameterCounts: parameters.trainableCounts)
    }

    public var configuration: TrainingConfiguration { program.configuration }

    /// The executor that trains on batches of `size` examples, planned on first use.
    public func trainingExecutor(batchSize size: Int) -> Executor {
        if let executor = trainingExecutors[size] { return executor }
        let (graph, plan) = program.makeTrainingPlan(size)
        let executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: configuration.seed)
        executor.collective = collective.isDistributed ? collective : nil
        trainingExecutors[size] = executor
        return executor
    }

    func evaluationExecutor(batchSize size: Int) -> Executor {
        if let executor = evaluationExecutors[size] { return executor }
        let (graph, plan) = program.makeEvaluationPlan(size)
        let executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: configuration.seed)
        evaluationExecutors[size] = executor
        return executor
    }

    /// Trains for the configured epochs, or for those left after `state` (a saved run's, resumed);
    /// `shouldStop` is polled between steps (Ctrl-C), and `afterEpoch`, when given, is called
    /// after each epoch with a function that captures the state to save (a copy of every tensor,
    /// made only when called).
    public func fit(train: Dataset, validation: Dataset?, resuming state: TrainingState? = nil, shouldStop: () -> Bool = { false },
                    onEpoch: (EpochReport) -> Void = { _ in },
                    afterEpoch: ((_ capture: () -> TrainingState) -> Void)? = nil) throws(TrainingError) -> FitResult {
        let start = Date()
        if let weights = parameters.infos.first(where: { $0.name == ParameterInfo.classWeightsName }), train.isClassification {
            _ = parameters.load(name: weights.name, values: Kernels.balancedClassWeights(labels: train.labels, classes: weights.elementCount))
        }
        var sampler = BatchSampler(count: train.count, batchSize: configuration.batchSize, shuffle: true, seed: configuration.seed)
        var reports: [EpochReport] = state?.reports ?? []
        var stopping = EarlyStopping(configuration.earlyStopping)
        var outcome = FitOutcome.completed
        let earlier = state?.seconds ?? 0
        if let state {
            restore(state)
            stopping = EarlyStopping(configuration.earlyStopping, state: state.earlyStopping, bestWeights: state.bestWeights)
            if state.stoppedEarly { outcome = .stoppedEarly }
        }
        // Every rank starts from rank 0's parameters (PyTorch's DDP does the same).
        collective.broadcast(parameters.tensors)
        let distributed = collective.isDistributed
        let trainable = parameters.infos.indices.filter { parameters.infos[$0].isTrainable }.map { parameters.tensors[$0].baseAddress! }
        let classWeights = parameters.infos.firstIndex { $0.name == ParameterInfo.classWeightsName }
            .map { UnsafeBufferPointer(parameters.tensors[$0]) }
        communicationSeconds = 0
        stepSeconds = 0
        // A rank with no rows of a batch still takes part in a synchronized batch norm's sums.
        let firstPart = DataParallel.part(of: 0..<max(1, min(configuration.batchSize, train.count)), rank: 0, ranks: collective.size)
        let firstExecutor = trainingExecutor(batchSize: max(firstPart.count, 1))
        let synchronizesBatchNorm = distributed && firstExecutor.graph.nodes.contains {
            if case .batchNorm(_, _, _, _, _, _, _, true, true) = $0.op { return true }
            return false
        }
        // The ranks sum each plan's gradient block in place; a model with a gradient inside
        // another buffer (batch norm's) has its gradients copied into one buffer first.
        let gradientBuffer = distributed && firstExecutor.gradientBlock == nil ? GradientBuffer(counts: parameters.trainableCounts) : nil
        let first = outcome == .stoppedEarly ? configuration.epochs : min(state?.epochsCompleted ?? 0, configuration.epochs)
        epochs: for epoch in first..<max(first, configuration.epochs) {
            let epochStart = Date()
            let rate = LearningRateSchedule.rate(base: configuration.optimizer.learningRate, schedule: configuration.schedule,
                                                 epoch: epoch, epochs: configuration.epochs)
            var accumulator = MetricAccumulator(metrics: program.metrics, classes: train.isClassification ? train.classNames.count : nil)
            let batches = sampler.batches(epoch: epoch)
            var seen = 0
            for (step, range) in batches.enumerated() {
                // One process stops before the step; ranks agree on it in the step's sum.
                let stops = shouldStop()
                if stops && !distributed { outcome = .interrupted; break epochs }
                let part = DataParallel.part(of: range, rank: collective.rank, ranks: collective.size)
                let share = distributed ? DataParallel.lossShare(of: part, in: range, order: sampler.order, labels: train.labels,
                                                                 classWeights: classWeights) : 1
                var loss: Float = 0
                var gradients: [UnsafeMutablePointer<Float>]?
                var used = firstExecutor
                let idle = part.isEmpty && synchronizesBatchNorm
                if !part.isEmpty || idle {
                    // An idle rank runs the batch's first row with a zero loss gradient, adding nothing.
                    let rows = idle ? range.lowerBound..<(range.lowerBound + 1) : part
                    let executor = trainingExecutor(batchSize: rows.count)
                    used = executor
                    executor.dropoutStep = optimizer.stepCount
                    executor.dropoutFirstRow = rows.lowerBound - range.lowerBound
                    executor.lossGradientScale = idle ? 0 : Float(share)
                    executor.contributesRows = !idle
                    sampler.gather(rows, from: train, features: executor.input(.features)!, labels: executor.input(.labels),
                                   targets: executor.input(.targets))
                    executor.run()
                    if !idle {
                        loss = executor.loss
                        accumulator.add(executor, lossWeight: share * Double(range.count))
                        gradients = executor.trainablePointers.gradients
                    }
                }
                if distributed {
                    let sumStart = Date()
                    let stopsNow: Bool
                    if let gradientBuffer {
                        gradientBuffer.fill(from: gradients, lossShare: loss * Float(share), stops: stops)
                        collective.sum(gradientBuffer.values)
                        (loss, stopsNow, gradients) = (gradientBuffer.loss, gradientBuffer.stops, gradientBuffer.gradients)
                    } else {
                        // The step's loss share and stop flag travel after the gradients, in the same sum.
                        let block = used.gradientBlock!
                        if gradients == nil { block.baseAddress!.update(repeating: 0, count: block.count) }
                        let tail = block.count - BufferPlan.stepScalarCount
                        (block[tail], block[tail + 1]) = (loss * Float(share), stops ? 1 : 0)
                        collective.sum(block)
                        (loss, stopsNow, gradients) = (block[tail], block[tail + 1] > 0, used.trainablePointers.gradients)
                    }
                    communicationSeconds += Date().timeIntervalSince(sumStart)
                    if stopsNow { outcome = .interrupted; break epochs }
                }
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch + 1, step: step + 1, loss: loss) }
                guard let gradients else { continue }
                if let clipNorm = configuration.clipNorm {
                    GradientClipping.clip(gradients, counts: parameters.trainableCounts, maxNorm: clipNorm)
                }
                optimizer.step(parameters: trainable, gradients: gradients, learningRate: rate)
                seen += range.count
                if let onStep {
                    let elapsed = Date().timeIntervalSince(epochStart)
                    onStep(StepReport(epoch: epoch + 1, step: step + 1, steps: batches.count, loss: loss,
                                      samplesPerSecond: elapsed > 0 ? Double(seen) / elapsed : 0))
                }
            }
            let trainSeconds = Date().timeIntervalSince(epochStart)
            stepSeconds += trainSeconds
            accumulator.reduce(over: collective)
            // Batch norm's running statistics are each rank's own; rank 0's are the model's.
            if distributed { collective.broadcast(parameters.infos.indices.filter { !parameters.infos[$0].isTrainable }.map { parameters.tensors[$0] }) }
            let report = EpochReport(epoch: epoch + 1, learningRate: rate, train: accumulator.evaluation,
                                     validation: validation.map { evaluate($0) },
                                     seconds: Date().timeIntervalSince(epochStart),
                                     samplesPerSecond: trainSeconds > 0 ? Double(train.count) / trainSeconds : 0)
            reports.append(report)
            onEpoch(report)
            let stops = stopping.update(report, parameters: parameters)
            if let afterEpoch {
                afterEpoch { capture(reports: reports, stopping: stopping, stoppedEarly: stops,
                                     seconds: earlier + Date().timeIntervalSince(start)) }
            }
            if stops { outcome = .stoppedEarly; break }
        }
        let best = stopping.finish(parameters: parameters)
        return FitResult(outcome: outcome, epochs: reports, bestEpoch: best ?? reports.last?.epoch,
                         seconds: earlier + Date().timeIntervalSince(start))
    }

    /// The state after the epochs of `reports`, to save.
    private func capture(reports: [EpochReport], stopping: EarlyStopping, stoppedEarly: Bool, seconds: Double) -> TrainingState {
        let moments = optimizer.stateNames.indices.map { s in
            optimizer.parameterCounts.indices.map { Array(optimizer.stateTensors(parameter: $0)[s].values) }
        }
        return TrainingState(epochsCompleted: reports.count, stoppedEarly: stoppedEarly, optimizerSteps: optimizer.stepCount,
                             earlyStopping: stopping.state, reports: reports, seconds: seconds, parameters: parameters.snapshot(),
                             optimizer: moments, bestWeights: stopping.bestWeights)
    }

    /// Puts the parameters and the optimizer back as `state` saved them.
    private func restore(_ state: TrainingState) {
        parameters.restore(state.parameters)
        optimizer.stepCount = state.optimizerSteps
        for (s, perParameter) in state.optimizer.enumerated() where s < optimizer.stateNames.count {
            for (i, values) in perParameter.enumerated() where i < optimizer.parameterCounts.count {
                let tensor = optimizer.stateTensors(parameter: i)[s].values
                if values.count == tensor.count { _ = tensor.update(fromContentsOf: values) }
            }
        }
    }

    /// The mean loss and metrics over a dataset, without dropout; each rank evaluates its part and
    /// every rank gets the whole dataset's.
    public func evaluate(_ dataset: Dataset) -> Evaluation {
        let sampler = BatchSampler(count: dataset.count, batchSize: 1, shuffle: false, seed: 0)
        var accumulator = MetricAccumulator(metrics: program.metrics, classes: dataset.isClassification ? dataset.classNames.count : nil)
        let part = DataParallel.part(of: 0..<dataset.count, rank: collective.rank, ranks: collective.size)
        let batch = min(evaluationBatchSize, max(part.count, 1))
        for start in stride(from: part.lowerBound, to: part.upperBound, by: batch) {
            let range = start..<min(start + batch, part.upperBound)
            let executor = evaluationExecutor(batchSize: range.count)
            sampler.gather(range, from: dataset, features: executor.input(.features)!, labels: executor.input(.labels),
                           targets: executor.input(.targets))
            executor.run()
            accumulator.add(executor)
        }
        accumulator.reduce(over: collective)
        return accumulator.evaluation
    }

    /// The model's outputs for `count` examples of features (already normalized): `[count, outputs]`,
    /// and whether they are logits (a classifier without a final softmax or sigmoid) rather than
    /// probabilities or values.
    public func predict(features: [Float], count: Int) -> (values: [Float], areLogits: Bool) {
        guard count > 0 else { return ([], false) }
        var areLogits = false
        let batch = min(evaluationBatchSize, count)
        var outputs: [Float] = []
        var start = 0
        while start < count {
            let rows = min(batch, count - start)
            let executor: Executor
            if let cached = inferenceExecutors[rows] {
                executor = cached
            } else {
                let (graph, plan) = program.makeInferencePlan(rows)
                executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: configuration.seed)
                inferenceExecutors[rows] = executor
            }
            let width = features.count / count
            features.withUnsafeBufferPointer { source in
                executor.input(.features)!.update(from: source.baseAddress! + start * width, count: rows * width)
            }
            executor.run()
            guard let prediction = executor.graph.prediction else { break }
            areLogits = executor.graph.predictionIsLogits
            let columns = executor.graph.shape(of: prediction).last ?? 1
            outputs += Array(UnsafeBufferPointer(start: executor.pointer(prediction), count: rows * columns))
            start += rows
        }
        return (outputs, areLogits)
    }
}
