import DLCCheck
import DLCCompile
import DLCGraph
import DLCRuntime
import Testing

/// With several threads the executor runs a part of a batch's convolution on each core
/// (forward, input gradient and weight gradient); the results must match one thread's and repeat
/// exactly, and a convolution folded into its bias + activation must never write over its input.
/// Serialized: its cases check exact repeats, and each flips OpenBLAS's process-wide thread count
/// while it splits a convolution.
@Suite(.serialized) struct ParallelConvolutionTests {
    /// Both convolutions do 2.6M and 5.3M multiply-adds on a batch of 16, above the 2M from which
    /// the executor splits them; the 1x1 convolution (0.6M) stays whole.
    static func model(loss: String = "cross_entropy", output: String = "dense: {units: 3}") throws -> CheckedModel {
        try checkedModel(input: "[12, 12, 8]",
                         layers: ["conv2d: {filters: 16, kernel: 3, padding: same, activation: relu}",
                                  "conv2d: {filters: 16, kernel: 3, padding: same, activation: tanh}",
                                  "conv2d: {filters: 16, kernel: 1, activation: relu}",
                                  "maxpool2d: {size: 2}", "flatten", output],
                         loss: loss, batchSize: 16)
    }

    /// The values an executor produced: loss, prediction and every gradient.
    static func results(_ executor: Executor) -> [[Float]] {
        executor.graph.outputs.map { Array(UnsafeBufferPointer(start: executor.pointer($0), count: executor.graph.nodes[$0].elementCount)) }
    }

    /// An odd batch (parts of 4 and 5 images on two threads, 3 each on three), stride 2 with
    /// valid padding and a non-square kernel: 6.5M and 3.7M multiply-adds, both split.
    static func oddModel() throws -> CheckedModel {
        try checkedModel(input: "[20, 21, 6]",
                         layers: ["conv2d: {filters: 32, kernel: 3, padding: same, activation: relu}",
                                  "conv2d: {filters: 24, kernel: [3, 2], stride: 2, activation: elu}",
                                  "avgpool2d: {size: 2}", "flatten", "dense: {units: 3}"],
                         loss: "cross_entropy", batchSize: 9)
    }

    /// Outputs of 17 x 32 x 32 x 32 floats (557k): the bias gradient's column sums and the pooling
    /// split into up to 4 parts as well (at least 131k floats a part).
    static func largeModel() throws -> CheckedModel {
        try checkedModel(input: "[32, 32, 4]",
                         layers: ["conv2d: {filters: 32, kernel: 3, padding: same, activation: relu}",
                                  "maxpool2d: {size: 2}", "conv2d: {filters: 8, kernel: 3, padding: same}",
                                  "avgpool2d: {size: 4}", "flatten", "dense: {units: 3}"],
                         loss: "cross_entropy", batchSize: 17)
    }

    /// Batch norm over 17 x 32 x 32 x 32 floats: its sums and elementwise passes split too, and
    /// its running statistics (parameters, updated by the step) must agree as well.
    static func batchNormModel() throws -> CheckedModel {
        try checkedModel(input: "[32, 32, 4]",
                         layers: ["conv2d: {filters: 32, kernel: 3, padding: same, use_bias: false}", "batchnorm", "relu",
                                  "maxpool2d: {size: 4}", "flatten", "dense: {units: 3}"],
                         loss: "cross_entropy", batchSize: 17)
    }

    /// Batch norm over 80 channels (two channel blocks of the kernels) on 17 x 16 x 16 pixels.
    static func wideBatchNormModel() throws -> CheckedModel {
        try checkedModel(input: "[16, 16, 3]",
                         layers: ["conv2d: {filters: 80, kernel: 3, padding: same, use_bias: false}", "batchnorm", "relu",
                                  "avgpool2d: {size: 4}", "flatten", "dense: {units: 3}"],
                         loss: "cross_entropy", batchSize: 17)
    }

    static func model(named name: String) throws -> CheckedModel {
        switch name {
        case "small": return try model()
        case "odd": return try oddModel()
        case "large": return try largeModel()
        case "batchnorm": return try batchNormModel()
        default: return try wideBatchNormModel()
        }
    }

    @Test("a part per thread matches one thread and repeats bit for bit",
          arguments: [("small", 16, 2), ("odd", 9, 2), ("odd", 9, 3), ("small", 16, 4), ("large", 17, 4), ("large", 17, 3),
                      ("batchnorm", 17, 2), ("batchnorm", 17, 3), ("wide batchnorm", 17, 2)])
    func partsMatchOneThreadAndRepeat(model: String, batch: Int, threads: Int) throws {
        let checked = try Self.model(named: model)
        let (graph, plan) = try Compiler.trainingPlan(checked, batchSize: batch)
        let single = makeExecutor(graph, plan: plan, classes: 3, threads: 1)
        let split = makeExecutor(graph, plan: plan, classes: 3, threads: threads)
        single.run()
        split.run()
        let expected = Self.results(single), first = Self.results(split)
        #expect(expected.count == graph.outputs.count && expected.count >= 6)
        for (index, (a, b)) in zip(expected, first).enumerated() {
            let scale = max(a.map(abs).max() ?? 0, 1e-3)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "output \(index) (%\(graph.outputs[index])): differs by \(worst) at scale \(scale)")
        }
        for (index, (a, b)) in zip(single.parameters.tensors, split.parameters.tensors).enumerated() {
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * max(a.map(abs).max() ?? 0, 1), "parameter \(graph.parameters[index].name) differs by \(worst)")
        }
        split.run()
        #expect(Self.results(split) == first, "the split step is not deterministic")
    }

    /// Evaluation-mode batch norm (running statistics) splits its rows as well.
    @Test(arguments: ["batchnorm", "wide batchnorm"])
    func evaluationPartsMatchOneThread(model: String) throws {
        let (graph, plan) = try Compiler.forwardPlan(try Self.model(named: model), batchSize: 17, mode: .evaluation)
        let single = makeExecutor(graph, plan: plan, classes: 3, threads: 1)
        let split = makeExecutor(graph, plan: plan, classes: 3, threads: 3)
        // Running statistics away from 0 and 1, so the evaluation path is exercised.
        for executor in [single, split] {
            for (index, info) in graph.parameters.enumerated() where info.name.hasSuffix("running_mean") || info.name.hasSuffix("running_var") {
                for i in 0..<info.elementCount { executor.parameters.tensors[index][i] = 0.5 + Float(i % 7) * 0.1 }
            }
        }
        single.run()
        split.run()
        let prediction = try #require(graph.prediction)
        let a = Array(UnsafeBufferPointer(start: single.pointer(prediction), count: graph.nodes[prediction].elementCount))
        let b = Array(UnsafeBufferPointer(start: split.pointer(prediction), count: graph.nodes[prediction].elementCount))
        // One product over the batch and one per part may round differently in OpenBLAS (seen on
        // AMD EPYC's kernels), so the thread counts agree to rounding; each repeats exactly.
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5 * max(a.map(abs).max() ?? 0, 1), "evaluation differs between 1 and 3 threads by \(worst)")
        split.run()
        #expect(Array(UnsafeBufferPointer(start: split.pointer(prediction), count: graph.nodes[prediction].elementCount)) == b,
                "evaluation on 3 threads does not repeat")
    }

    @Test func foldedConvolutionsKeepTheirInputUntilTheyHaveRun() throws {
        for mode in [GraphMode.evaluation, .training] {
            let (graph, plan) = mode == .training ? try Compiler.trainingPlan(try Self.model(), batchSize: 16)
                                                  : try Compiler.forwardPlan(try Self.model(), batchSize: 16, mode: mode)
            var folds = 0
            for (index, node) in graph.nodes.enumerated() {
                guard case .biasActivation(let x, _, _) = node.op, case .conv2d(let input, _, _, _) = graph.nodes[x].op,
                      let a = plan.offsets[input], let b = plan.offsets[index] else { continue }
                folds += 1
                let overlap = a < b + node.elementCount && b < a + graph.nodes[input].elementCount
                #expect(!overlap, "\(mode): %\(index) is planned over the input %\(input) of the convolution it folds")
            }
            #expect(folds == 3)
        }
    }

    /// Evaluation fuses each convolution with its bias and activation, inference does not: the
    /// predictions agree with one thread and with two (the pointwise convolution, which reads its
    /// input during the product itself, included).
    @Test func evaluationWithFoldedConvolutionsMatchesInference() throws {
        let model = try Self.model(loss: "mse")
        let (evaluationGraph, evaluationPlan) = try Compiler.forwardPlan(model, batchSize: 16, mode: .evaluation)
        let (inferenceGraph, inferencePlan) = try Compiler.forwardPlan(model, batchSize: 16, mode: .inference)
        let reference = makeExecutor(inferenceGraph, plan: inferencePlan, threads: 1)
        reference.run()
        let expected = Array(UnsafeBufferPointer(start: reference.pointer(try #require(inferenceGraph.prediction)), count: 48))
        for threads in [1, 2] {
            let evaluation = makeExecutor(evaluationGraph, plan: evaluationPlan, threads: threads)
            evaluation.run()
            let got = Array(UnsafeBufferPointer(start: evaluation.pointer(try #require(evaluationGraph.prediction)), count: 48))
            let worst = zip(expected, got).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "\(threads) thread(s): evaluation differs from inference by \(worst)")
        }
    }
}
