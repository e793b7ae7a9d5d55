import DLCCompile
import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// A tiny network trained 30 full-batch steps with each optimizer follows PyTorch's trajectory
/// (`Reference/trajectory.py` made `Reference/trajectory.json`).
struct TrajectoryTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var optimizer: String
            var losses: [Double]
            var final: [String: [Float]]
        }

        var features: [Float]
        var labels: [Float]
        var initial: [String: [Float]]
        var cases: [String: Case]
    }

    static let reference: Reference? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/trajectory.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    @Test(arguments: ["sgd", "adam", "adamw", "rmsprop"])
    func matchesPyTorch(_ name: String) throws {
        let reference = try #require(Self.reference)
        let testCase = try #require(reference.cases[name])
        let model = try checkedModel(input: "[4]", layers: ["dense: {units: 5, activation: tanh}", "dense: {units: 3}"],
                                     loss: "cross_entropy", data: "{csv: none.csv, target: label}",
                                     optimizer: "{\(testCase.optimizer)}", batchSize: 8)
        let (graph, plan) = try Compiler.trainingPlan(model, batchSize: 8)
        let parameters = ParameterStore(graph.parameters, seed: 0)
        for info in graph.parameters {
            #expect(parameters.load(name: info.name, values: try #require(reference.initial[info.name])))
        }
        let executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: 0)
        executor.input(.features)!.update(from: reference.features, count: reference.features.count)
        executor.input(.labels)!.update(from: reference.labels, count: reference.labels.count)
        let configuration = Compiler.configuration(model.spec)
        let optimizer = Optimizer(configuration.optimizer, parameterCounts: parameters.counts)
        let gradients = executor.trainablePointers.gradients
        for (step, expected) in testCase.losses.enumerated() {
            executor.run()
            let loss = Double(executor.loss)
            #expect(abs(loss - expected) <= 1e-5 * abs(expected), "\(name) step \(step + 1): loss \(loss), PyTorch \(expected)")
            optimizer.step(parameters: parameters.pointers, gradients: gradients, learningRate: configuration.optimizer.learningRate)
        }
        // The losses match to 1e-5 relative; the weights after 30 steps within float32 drift
        // (centered RMSprop divides by sqrt(E[g^2] - E[g]^2), which amplifies the last bits).
        for (index, info) in graph.parameters.enumerated() {
            let expected = try #require(testCase.final[info.name])
            for (actual, wanted) in zip(parameters.tensors[index], expected) {
                #expect(abs(actual - wanted) <= 5e-5 * max(abs(wanted), 0.1), "\(name): \(info.name) \(actual) vs \(wanted)")
            }
        }
    }
}
