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
        let executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: configuration.seed &+ UInt64(size))
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
        let first = outcome == .stoppedEarly ? configuration.epochs : min(state?.epochsCompleted ?? 0, configuration.epochs)
        epochs: for epoch in first..<max(first, configuration.epochs) {
            let epochStart = Date()
            let rate = LearningRateSchedule.rate(base: configuration.optimizer.learningRate, schedule: configuration.schedule,
                                                 epoch: epoch, epochs: configuration.epochs)
            var accumulator = MetricAccumulator(metrics: program.metrics, classes: train.isClassification ? train.classNames.count : nil)
            let batches = sampler.batches(epoch: epoch)
            var seen = 0
            for (step, range) in batches.enumerated() {
                if shouldStop() { outcome = .interrupted; break epochs }
                let executor = trainingExecutor(batchSize: range.count)
                sampler.gather(range, from: train, features: executor.input(.features)!, labels: executor.input(.labels),
                               targets: executor.input(.targets))
                executor.run()
                let loss = executor.loss
                guard loss.isFinite else { throw .nonFiniteLoss(epoch: epoch + 1, step: step + 1, loss: loss) }
                accumulator.add(executor)
                let (trainable, gradients) = executor.trainablePointers
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
                             dropoutStreams: trainingExecutors.mapValues { $0.dropoutGenerator.stateWords },
                             earlyStopping: stopping.state, reports: reports, seconds: seconds, parameters: parameters.snapshot(),
                             optimizer: moments, bestWeights: stopping.bestWeights)
    }

    /// Puts the parameters, the optimizer and the dropout streams back as `state` saved them.
    private func restore(_ state: TrainingState) {
        parameters.restore(state.parameters)
        optimizer.stepCount = state.optimizerSteps
        for (s, perParameter) in state.optimizer.enumerated() where s < optimizer.stateNames.count {
            for (i, values) in perParameter.enumerated() where i < optimizer.parameterCounts.count {
                let tensor = optimizer.stateTensors(parameter: i)[s].values
                if values.count == tensor.count { _ = tensor.update(fromContentsOf: values) }
            }
        }
        for (size, words) in state.dropoutStreams {
            guard let generator = SeededRandom(stateWords: words) else { continue }
            trainingExecutor(batchSize: size).dropoutGenerator = generator
        }
    }

    /// The mean loss and metrics over a dataset, without dropout.
    public func evaluate(_ dataset: Dataset) -> Evaluation {
        var sampler = BatchSampler(count: dataset.count, batchSize: min(evaluationBatchSize, max(dataset.count, 1)), shuffle: false, seed: 0)
        var accumulator = MetricAccumulator(metrics: program.metrics, classes: dataset.isClassification ? dataset.classNames.count : nil)
        for range in sampler.batches(epoch: 0) {
            let executor = evaluationExecutor(batchSize: range.count)
            sampler.gather(range, from: dataset, features: executor.input(.features)!, labels: executor.input(.labels),
                           targets: executor.input(.targets))
            executor.run()
            accumulator.add(executor)
        }
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
