import DLCCheck
import DLCCompile
import DLCGraph
import DLCRuntime
import Testing

/// Dropout and batchnorm behave differently in training and evaluation, as in PyTorch.
struct TrainEvalBehaviourTests {
    static func model() throws -> CheckedModel {
        try checkedModel(input: "[3]", layers: ["batchnorm: {momentum: 0.1}", "dense: {units: 6, activation: relu}",
                                                "dropout: {rate: 0.5}", "dense: {units: 2}"],
                         loss: "cross_entropy", batchSize: 8)
    }

    @Test func evaluationHasNoDropoutAndUsesRunningStatistics() throws {
        let training = try Compiler.trainingPlan(try Self.model(), batchSize: 8).0
        let evaluation = try Compiler.forwardPlan(try Self.model(), batchSize: 8, mode: .evaluation).0
        #expect(training.nodes.contains { if case .dropoutMask = $0.op { return true } else { return false } })
        #expect(!evaluation.nodes.contains { if case .dropoutMask = $0.op { return true } else { return false } })
        #expect(training.nodes.contains { if case .batchNorm(_, _, _, _, _, _, _, true, _) = $0.op { return true } else { return false } })
        #expect(evaluation.nodes.contains { if case .batchNorm(_, _, _, _, _, _, _, false, _) = $0.op { return true } else { return false } })
    }

    @Test func trainingStepsUpdateTheRunningStatisticsLikePyTorch() throws {
        let (graph, plan) = try Compiler.trainingPlan(try Self.model(), batchSize: 8)
        let executor = makeExecutor(graph, plan: plan)
        let features = Array(UnsafeBufferPointer(start: executor.input(.features)!, count: 24))
        let meanIndex = try #require(graph.parameters.firstIndex { $0.name == "batchnorm_0.running_mean" })
        let varianceIndex = try #require(graph.parameters.firstIndex { $0.name == "batchnorm_0.running_var" })
        let initialMean = Array(executor.parameters.tensors[meanIndex]), initialVariance = Array(executor.parameters.tensors[varianceIndex])
        executor.run()
        for channel in 0..<3 {
            let column = (0..<8).map { Double(features[$0 * 3 + channel]) }
            let mean = column.reduce(0, +) / 8
            let unbiased = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 7
            // running = (1 - momentum) * running + momentum * batch statistic (the unbiased variance).
            let expectedMean = 0.9 * Double(initialMean[channel]) + 0.1 * mean
            let expectedVariance = 0.9 * Double(initialVariance[channel]) + 0.1 * unbiased
            #expect(abs(Double(executor.parameters.tensors[meanIndex][channel]) - expectedMean) < 1e-5)
            #expect(abs(Double(executor.parameters.tensors[varianceIndex][channel]) - expectedVariance) < 1e-5)
        }
    }

    @Test func dropoutMakesTrainingRunsDifferButEvaluationRepeats() throws {
        let model = try Self.model()
        let (trainingGraph, trainingPlan) = try Compiler.trainingPlan(model, batchSize: 8)
        let training = makeExecutor(trainingGraph, plan: trainingPlan)
        training.run()
        let first = training.loss
        // Masks are keyed by the step (the trainer sets it before each run): the same step draws
        // the same masks, the next step others.
        training.run()
        #expect(training.loss == first)
        training.dropoutStep = 1
        training.run()
        #expect(training.loss != first)
        let (evaluationGraph, evaluationPlan) = try Compiler.forwardPlan(model, batchSize: 8, mode: .evaluation)
        let evaluation = makeExecutor(evaluationGraph, plan: evaluationPlan)
        evaluation.run()
        let once = evaluation.loss
        evaluation.run()
        #expect(evaluation.loss == once)
    }
}
