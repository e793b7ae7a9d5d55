import DLCCheck
import DLCCompile
import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// Finite-difference checks of the sequence ops (embedding lookups masked past each length,
/// conv1d, 1-D pooling, LSTM and GRU in both directions, pooling over real steps) through whole
/// compiled graphs, and the rule that padding never changes a result.
struct SequenceGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input = "[6]"
        var layers: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "lstm over numbers, every step real", input: "[5, 3]", layers: ["lstm: {units: 4}", "dense: {units: 2}"]),
        Case(name: "gru over numbers, sequences, reverse", input: "[4, 3]",
             layers: ["gru: {units: 3, return_sequences: true, bidirectional: true}", "flatten", "dense: {units: 2}"]),
        Case(name: "embedding, lstm stopping at each length", layers: ["embedding: {dim: 3, vocabulary: 7}", "lstm: {units: 4}", "dense: {units: 2}"]),
        Case(name: "embedding, gru sequences, flatten",
             layers: ["embedding: {dim: 3, vocabulary: 7}", "gru: {units: 3, return_sequences: true}", "flatten", "dense: {units: 2}"]),
        Case(name: "bidirectional lstm sequences, max over real steps",
             layers: ["embedding: {dim: 3, vocabulary: 7}", "lstm: {units: 3, return_sequences: true, bidirectional: true}", "global_maxpool",
                      "dense: {units: 2}"]),
        Case(name: "conv1d same, bidirectional gru",
             layers: ["embedding: {dim: 3, vocabulary: 7}", "conv1d: {filters: 4, kernel: 3, padding: same, activation: tanh}",
                      "gru: {units: 3, bidirectional: true}", "dense: {units: 2}"]),
        Case(name: "conv1d stride 2, maxpool1d, mean over real steps",
             layers: ["embedding: {dim: 3, vocabulary: 7}", "conv1d: {filters: 4, kernel: 2, stride: 2, padding: same, activation: sigmoid}",
                      "avgpool1d: {size: 1}", "maxpool1d: {size: 2, stride: 1, padding: same}", "global_avgpool", "dense: {units: 2}"]),
        Case(name: "positional embedding, attention, layernorm, mean over real steps",
             layers: ["embedding: {dim: 4, vocabulary: 7}", "positional_embedding", "attention: {heads: 2}", "layernorm", "global_avgpool",
                      "dense: {units: 2}"]),
        Case(name: "causal attention in a residual block, max over real steps",
             layers: ["embedding: {dim: 4, vocabulary: 7}", "residual: {layers: [attention: {heads: 1, causal: true}]}", "relu", "global_maxpool",
                      "dense: {units: 2}"]),
    ]

    /// Token ids of three examples of 6 steps: lengths 6, 3 and 1, zeros after.
    static let ids: [Float] = [2, 5, 3, 6, 1, 4,
                               4, 4, 2, 0, 0, 0,
                               6, 0, 0, 0, 0, 0]

    static func executor(_ testCase: Case, stage: Compiler.Stage, steps: Int = 6) throws -> (Graph, Executor) {
        let input = testCase.input == "[6]" ? "[\(steps)]" : testCase.input
        let model = try checkedModel(input: input, layers: testCase.layers, loss: "cross_entropy")
        let (graph, _) = try Compiler.graph(model, batchSize: 3, stage: stage)
        let executor = makeExecutor(graph, plan: PlanBuffers.plan(graph))
        if testCase.input == "[6]" {
            var padded = [Float](repeating: 0, count: 3 * steps)
            for b in 0..<3 { for t in 0..<6 { padded[b * steps + t] = ids[b * 6 + t] } }
            executor.input(.features)!.update(from: padded, count: padded.count)
        }
        return (graph, executor)
    }

    @Test(arguments: cases, [Compiler.Stage.differentiated, .fused])
    func parameterGradientsMatchFiniteDifferences(_ testCase: Case, stage: Compiler.Stage) throws {
        let (graph, executor) = try Self.executor(testCase, stage: stage)
        expectGradientsMatchFiniteDifferences(graph, executor, name: "\(testCase.name) [\(stage)]", elements: { stride(from: 0, to: $0, by: max(1, $0 / 11)) }) {
            executor.run()
            return Double(executor.loss)
        }
    }

    /// The same examples padded to 16 and to 32 steps: the same loss and the same gradients, to 1e-6.
    /// (A flatten makes the dense layer after it as wide as the steps, so those cases cannot compare.)
    @Test(arguments: cases.filter { $0.input == "[6]" && !$0.layers.contains("flatten") })
    func paddingDoesNotChangeResults(_ testCase: Case) throws {
        var results: [(loss: Float, gradients: [String: [Float]])] = []
        for steps in [16, 32] {
            let (graph, executor) = try Self.executor(testCase, stage: .fused, steps: steps)
            executor.run()
            var gradients: [String: [Float]] = [:]
            for (gradient, index) in zip(graph.gradients, graph.trainableParameters) {
                gradients[graph.parameters[index].name] = Array(UnsafeBufferPointer(start: executor.pointer(gradient), count: graph.nodes[gradient].elementCount))
            }
            results.append((executor.loss, gradients))
        }
        #expect(abs(results[0].loss - results[1].loss) <= 1e-6 * max(1, abs(results[0].loss)), "\(testCase.name): loss \(results[0].loss) vs \(results[1].loss)")
        for (name, short) in results[0].gradients {
            guard let long = results[1].gradients[name] else { Issue.record("\(name) missing at 32 steps"); continue }
            let worst = zip(short, long).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6 * max(1, short.map(abs).max() ?? 0), "\(testCase.name): \(name) differs by \(worst)")
        }
    }
}


/// A text column beside a number column: two inputs, `word` (token ids) and `features`, joined
/// by `from:` and `concat`; checked from the data, trained a step, and differentiated exactly.
struct SeveralInputsTests {
    @Test func textAndFeaturesAreTwoInputs() throws {
        let folder = NSTemporaryDirectory() + "dlc-several-inputs-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rows = ["word,letters,label", "abba,4,x", "cab,3,y", "c,1,x", "bacca,5,y", "ab,2,x", "bbc,3,y"]
        try (rows.joined(separator: "\n") + "\n").write(toFile: folder + "/data.csv", atomically: true, encoding: .utf8)
        let spec = """
            name: several
            data:
              train: {csv: data.csv, target: label}
              columns:
                word: {text: {length: 5}}
            model:
              layers:
                - embedding: {dim: 3, from: word}
                - lstm: {units: 3, name: letters}
                - dense: {units: 2, activation: tanh, from: features, name: numbers}
                - concat: {from: [letters, numbers]}
                - dense: {units: 2}
            loss: cross_entropy
            optimizer: sgd
            training: {epochs: 1, batch_size: 3}
            """
        try spec.write(toFile: folder + "/spec.yaml", atomically: true, encoding: .utf8)
        configureBLASForTests()
        let result = Checker.check(path: folder + "/spec.yaml")
        #expect(!result.hasErrors, "\(result.diagnostics.map(\.message))")
        let model = try #require(result.model)
        #expect(model.namedInputs == ["word": [5], "features": [1]])
        #expect(model.layers[0].spec.config == .embedding(dimension: 3, vocabulary: 5))   // padding, unknown, b, a, c
        let (graph, _) = try Compiler.graph(model, batchSize: 3, stage: .fused)
        let executor = makeExecutor(graph, plan: PlanBuffers.plan(graph))
        // Three examples: the number first, then the word's 5 ids.
        let features: [Float] = [4, 3, 2, 3, 3, 0,
                                 3, 4, 2, 3, 0, 0,
                                 1, 4, 0, 0, 0, 0]
        executor.input(.features)!.update(from: features, count: features.count)
        expectGradientsMatchFiniteDifferences(graph, executor, name: "several inputs") {
            executor.run()
            return Double(executor.loss)
        }
    }
}
