import DLCCheck
import DLCCompile
import DLCData
import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// Finite-difference checks of every op's gradient rule, through whole compiled graphs: the
/// differentiated graph (each op on its own) and the fused graph (bias + activation, fused losses).
struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input = "[4]"
        var layers: [String]
        var loss: String
        var data = "{builtin: moons}"
        var classes = 2
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "dense relu, softmax, cross_entropy", layers: ["dense: {units: 5, activation: relu}", "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
        Case(name: "logits with label smoothing", layers: ["dense: {units: 5, activation: tanh}", "dense: {units: 2}"],
             loss: "{cross_entropy: {label_smoothing: 0.2}}"),
        Case(name: "sigmoid, binary_cross_entropy", layers: ["dense: {units: 5, activation: elu}", "dense: {units: 1, activation: sigmoid}"],
             loss: "binary_cross_entropy"),
        Case(name: "logit, binary_cross_entropy", layers: ["dense: {units: 5, activation: leaky_relu}", "dense: {units: 1}"],
             loss: "binary_cross_entropy"),
        Case(name: "gelu and silu, mse regression", input: "[1]",
             layers: ["dense: {units: 6, activation: gelu}", "dense: {units: 4, activation: silu}", "dense: {units: 1}"],
             loss: "mse", data: "{builtin: sine}"),
        Case(name: "activation layers, mae", input: "[1]",
             layers: ["dense: {units: 6}", "leaky_relu: {negative_slope: 0.2}", "dense: {units: 6}", "elu: {alpha: 0.7}",
                      "dense: {units: 5}", "sigmoid", "dense: {units: 4}", "tanh", "dense: {units: 1}"],
             loss: "mae", data: "{builtin: sine}"),
        Case(name: "relu layer, softmax layer, mse on one-hot labels",
             layers: ["dense: {units: 5}", "relu", "dense: {units: 2}", "softmax"], loss: "mse"),
        Case(name: "mse on a label, no bias", layers: ["dense: {units: 5, activation: tanh, use_bias: false}", "dense: {units: 1}"],
             loss: "mse"),
        Case(name: "dropout", layers: ["dense: {units: 8, activation: relu}", "dropout: {rate: 0.5}", "dense: {units: 2}"],
             loss: "cross_entropy"),
        Case(name: "conv2d same, max pool, conv2d valid stride 2, average pool", input: "[6, 6, 2]",
             layers: ["conv2d: {filters: 3, kernel: 3, padding: same, activation: tanh}", "maxpool2d: {size: 2}",
                      "conv2d: {filters: 4, kernel: [2, 1], stride: 1}", "avgpool2d: {size: 2, padding: same}", "flatten",
                      "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
        Case(name: "conv2d with batchnorm and a 1x1 kernel", input: "[4, 4, 3]",
             layers: ["conv2d: {filters: 4, kernel: 1, use_bias: false}", "batchnorm", "relu", "conv2d: {filters: 2, kernel: 3, stride: 2, padding: same}",
                      "flatten", "dense: {units: 3}", "batchnorm: {momentum: 0.3}", "sigmoid", "dense: {units: 1}"],
             loss: "mse", data: "{builtin: sine}"),
        Case(name: "branches concatenated over channels, global max pool", input: "[4, 4, 2]",
             layers: ["conv2d: {filters: 3, kernel: 3, padding: same, activation: tanh, name: a}",
                      "conv2d: {filters: 2, kernel: 1, activation: sigmoid, name: b, from: input}",
                      "concat: {from: [a, b]}", "global_maxpool", "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
        Case(name: "multiply, a three-way add and a concat of vectors",
             layers: ["dense: {units: 5, activation: tanh, name: a}", "dense: {units: 5, activation: sigmoid, name: b, from: input}",
                      "multiply: {from: [a, b], name: m}", "dense: {units: 5, name: c, from: input}", "add: {from: [m, c, a], name: s}",
                      "concat: {from: [s, a], axis: 0}", "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
        Case(name: "a value read twice by one merge and once more", input: "[4]",
             layers: ["dense: {units: 5, activation: tanh, name: a}", "add: {from: [a, a], name: twice}", "multiply: {from: [twice, a]}",
                      "dense: {units: 1}"],
             loss: "mse", data: "{builtin: sine}"),
        Case(name: "residual with a strided projection, global average pool, layernorm", input: "[6, 6, 2]",
             layers: ["conv2d: {filters: 3, kernel: 3, padding: same, activation: tanh}",
                      "residual: {layers: [conv2d: {filters: 4, kernel: 3, stride: 2, padding: same}, batchnorm, relu]}",
                      "relu", "global_avgpool", "layernorm", "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
        Case(name: "vector residual with a dense projection, then layernorm",
             layers: ["residual: {layers: [dense: {units: 6, activation: tanh}, dense: {units: 5}]}", "layernorm: {epsilon: 0.001}",
                      "dense: {units: 2}"],
             loss: "cross_entropy"),
        Case(name: "images joined along their height", input: "[3, 4, 2]",
             layers: ["conv2d: {filters: 2, kernel: 3, padding: same, activation: elu, name: top}",
                      "conv2d: {filters: 2, kernel: 1, name: bottom, from: input}", "concat: {from: [top, bottom], axis: 0}",
                      "avgpool2d: {size: 2}", "flatten", "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
        Case(name: "flatten and reshape", input: "[2, 3]",
             layers: ["flatten", "dense: {units: 4, activation: sigmoid}", "reshape: {shape: [2, 2]}", "flatten", "dense: {units: 2, activation: softmax}"],
             loss: "cross_entropy"),
    ]

    @Test(arguments: cases, [Compiler.Stage.differentiated, .fused])
    func parameterGradientsMatchFiniteDifferences(_ testCase: Case, stage: Compiler.Stage) throws {
        let model = try checkedModel(input: testCase.input, layers: testCase.layers, loss: testCase.loss, data: testCase.data)
        let (graph, _) = try Compiler.graph(model, batchSize: 3, stage: stage)
        let executor = makeExecutor(graph, plan: PlanBuffers.plan(graph), classes: testCase.classes)
        func loss() -> Double {
            executor.reseedDropout(1)
            executor.run()
            return Double(executor.loss)
        }
        expectGradientsMatchFiniteDifferences(graph, executor, name: "\(testCase.name) [\(stage)]", loss: loss)
    }

    /// Large enough that pooling and activations split their work over two threads.
    @Test func largeTensorsSplitAcrossThreadsGiveTheSameGradients() throws {
        let model = try checkedModel(input: "[32, 32, 8]", layers: [
            "conv2d: {filters: 8, kernel: 3, padding: same, activation: relu}", "maxpool2d: {size: 2}",
            "avgpool2d: {size: 2}", "flatten", "dense: {units: 2}"], loss: "cross_entropy", batchSize: 16)
        let (graph, _) = try Compiler.graph(model, batchSize: 16, stage: .fused)
        let executor = makeExecutor(graph, plan: PlanBuffers.plan(graph))
        executor.run()
        let analytic = Array(UnsafeBufferPointer(start: executor.pointer(graph.gradients[0]), count: graph.nodes[graph.gradients[0]].elementCount))
        let weights = executor.parameters.tensors[0]
        // A small step: this model has many relu kinks and pooling ties a larger step would cross.
        let h: Float = 1e-3
        for element in stride(from: 0, to: weights.count, by: 97) {
            let original = weights[element]
            weights[element] = original + h
            executor.run()
            let plus = Double(executor.loss)
            weights[element] = original - h
            executor.run()
            let minus = Double(executor.loss)
            weights[element] = original
            let numeric = (plus - minus) / Double(2 * h)
            let exact = Double(analytic[element])
            #expect(abs(numeric - exact) <= 2e-2 * max(abs(numeric), abs(exact)) + 2e-3, "conv weight [\(element)]: \(exact) vs \(numeric)")
        }
    }

    @Test(arguments: cases)
    func fusedAndUnfusedGraphsAgree(_ testCase: Case) throws {
        let model = try checkedModel(input: testCase.input, layers: testCase.layers, loss: testCase.loss, data: testCase.data)
        var results: [(loss: Float, gradients: [[Float]])] = []
        for stage in [Compiler.Stage.differentiated, .fused] {
            let (graph, _) = try Compiler.graph(model, batchSize: 3, stage: stage)
            let executor = makeExecutor(graph, plan: PlanBuffers.plan(graph), classes: testCase.classes)
            executor.reseedDropout(1)
            executor.run()
            results.append((executor.loss, graph.gradients.map {
                Array(UnsafeBufferPointer(start: executor.pointer($0), count: graph.nodes[$0].elementCount))
            }))
        }
        #expect(abs(results[0].loss - results[1].loss) <= 1e-5 * max(1, abs(results[0].loss)))
        for (unfused, fused) in zip(results[0].gradients, results[1].gradients) {
            for (a, b) in zip(unfused, fused) { #expect(abs(a - b) <= 1e-4 * max(1, abs(a))) }
        }
    }
}
