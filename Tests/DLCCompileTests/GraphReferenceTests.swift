import DLCCompile
import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// Graph models against PyTorch (`Reference/graph_blocks.py` made `Reference/graph_blocks.json`):
/// residual blocks with batchnorm (an identity shortcut, and a strided one with its projection),
/// layernorm, and branches merged by multiply and concat. From the same parameters and batch, the
/// logits, every gradient, three Adam steps' losses and the final parameters (running statistics
/// too) must match.
struct GraphReferenceTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var input_shape: [Int]
            var batch: Int
            var classes: Int
            var features: [Float]
            var labels: [Float]
            var initial: [String: [Float]]
            var logits: [Float]
            var gradients: [String: [Float]]
            var losses: [Double]
            var final: [String: [Float]]
        }

        var cases: [String: Case]
    }

    static let reference: Reference? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/graph_blocks.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    /// The models of `graph_blocks.py`, layer for layer.
    static let models: [String: [String]] = [
        "residual": [
            "conv2d: {filters: 4, kernel: 3, padding: same, use_bias: false}", "batchnorm", "relu",
            "residual: {layers: [conv2d: {filters: 4, kernel: 3, padding: same, use_bias: false}, batchnorm, relu, conv2d: {filters: 4, kernel: 3, padding: same, use_bias: false}, batchnorm]}",
            "relu",
            "residual: {layers: [conv2d: {filters: 6, kernel: 3, stride: 2, padding: same, use_bias: false}, batchnorm, relu, conv2d: {filters: 6, kernel: 3, padding: same, use_bias: false}, batchnorm]}",
            "relu", "global_avgpool", "dense: {units: 4}",
        ],
        "layernorm": ["dense: {units: 6}", "layernorm", "relu", "dense: {units: 3}"],
        "branches": [
            "conv2d: {filters: 3, kernel: 3, padding: same, activation: tanh, name: a}",
            "conv2d: {filters: 3, kernel: 1, activation: sigmoid, name: b, from: input}",
            "multiply: {from: [a, b], name: gated}",
            "conv2d: {filters: 2, kernel: 1, use_bias: false, name: c, from: input}",
            "concat: {from: [gated, c]}", "global_maxpool", "dense: {units: 4}",
        ],
    ]

    /// |actual - expected| within `tolerance` of the array's largest magnitude.
    static func close(_ actual: [Float], _ expected: [Float], _ tolerance: Float, _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, PyTorch \(expected.count)")
        let scale = max(expected.map(abs).max() ?? 0, 1e-6)
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance * scale, "\(what): off by \(worst) (\(worst / scale) of its largest value \(scale))")
    }

    @Test(arguments: ["residual", "layernorm", "branches"])
    func matchesPyTorch(_ name: String) throws {
        let reference = try #require(Self.reference?.cases[name])
        let input = "[" + reference.input_shape.map(String.init).joined(separator: ", ") + "]"
        let model = try checkedModel(input: input, layers: try #require(Self.models[name]), loss: "cross_entropy",
                                     data: "{csv: none.csv, target: label}", optimizer: "{adam: {learning_rate: 0.01}}",
                                     batchSize: reference.batch)
        let (graph, plan) = try Compiler.trainingPlan(model, batchSize: reference.batch)
        let parameters = ParameterStore(graph.parameters, seed: 0)
        #expect(Set(graph.parameters.map(\.name)) == Set(reference.initial.keys))
        for info in graph.parameters {
            #expect(parameters.load(name: info.name, values: try #require(reference.initial[info.name])), "\(info.name)")
        }
        let executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: 0)
        executor.input(.features)!.update(from: reference.features, count: reference.features.count)
        executor.input(.labels)!.update(from: reference.labels, count: reference.labels.count)
        let configuration = Compiler.configuration(model.spec)
        let optimizer = Optimizer(configuration.optimizer, parameterCounts: parameters.trainableCounts)
        let (trainable, gradients) = executor.trainablePointers
        for (step, expected) in reference.losses.enumerated() {
            executor.run()
            let loss = Double(executor.loss)
            #expect(abs(loss - expected) <= 1e-5 * abs(expected), "\(name) step \(step + 1): loss \(loss), PyTorch \(expected)")
            if step == 0 {
                let prediction = try #require(graph.prediction)
                Self.close(Array(UnsafeBufferPointer(start: executor.pointer(prediction), count: reference.logits.count)),
                           reference.logits, 1e-5, "\(name) logits")
                for (index, parameter) in graph.trainableParameters.enumerated() {
                    let info = graph.parameters[parameter]
                    Self.close(Array(UnsafeBufferPointer(start: gradients[index], count: info.elementCount)),
                               try #require(reference.gradients[info.name]), 1e-4, "\(name) d\(info.name)")
                }
            }
            optimizer.step(parameters: trainable, gradients: gradients, learningRate: configuration.optimizer.learningRate)
        }
        for (index, info) in graph.parameters.enumerated() {
            Self.close(Array(parameters.tensors[index]), try #require(reference.final[info.name]), 1e-4, "\(name) final \(info.name)")
        }
    }
}
