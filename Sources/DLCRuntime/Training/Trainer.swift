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

    /// Trains for the configured epochs; `shouldStop` is polled between steps (Ctrl-C).
    public func fit(train: Dataset, validation: Dataset?, shouldStop: () -> Bool = { false },
                    onEpoch: (EpochReport) -> Void = { _ in }) throws(TrainingError) -> FitResult {
        let start = Date()
        if let weights = parameters.infos.first(where: { $0.name == ParameterInfo.classWeightsName }), train.isClassification {
            _ = parameters.load(name: weights.name, values: Kernels.balancedClassWeights(labels: train.labels, classes: weights.elementCount))
        }
        var sampler = BatchSampler(count: train.count, batchSize: configuration.batchSize, shuffle: true, seed: configuration.seed)
        var reports: [EpochReport] = []
        var stopping = EarlyStopping(configuration.earlyStopping)
        var outcome = FitOutcome.completed
        epochs: for epoch in 0..<configuration.epochs {
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
            if stopping.update(report, parameters: parameters) { outcome = .stoppedEarly; break }
        }
        let best = stopping.finish(parameters: parameters)
        return FitResult(outcome: outcome, epochs: reports, bestEpoch: best ?? reports.last?.epoch,
                         seconds: Date().timeIntervalSince(start))
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
