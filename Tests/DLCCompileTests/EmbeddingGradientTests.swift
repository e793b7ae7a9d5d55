import DLCCheck
import DLCCompile
import DLCData
import DLCGraph
import DLCRuntime
import Testing

/// The embedding lookup that embedded CSV columns lower to: its table gradient against finite
/// differences, a repeated id summing its rows' gradients, and the input layout.
struct EmbeddingGradientTests {
    /// Two numbers, a one-hot column of 2 values, then two embedded columns: data `[2 + 2 + 2 ids]`, model `[2 + 2 + 2 + 3]`.
    static let encoding = FeatureEncoding(columns: [
        .init(name: "a", kind: .number(fill: 0, indicator: false)),
        .init(name: "b", kind: .number(fill: nil, indicator: false)),
        .init(name: "c", kind: .oneHot(values: ["x", "y"], hasMissing: false)),
        .init(name: "d", kind: .embedding(values: ["p", "q", "r"], hasMissing: true, dimension: 2)),
        .init(name: "e", kind: .embedding(values: ["s", "t"], hasMissing: false, dimension: 3)),
    ], missingValues: [])

    func embeddedModel() throws -> CheckedModel {
        var model = try checkedModel(input: "[9]", layers: ["dense: {units: 4, activation: tanh}", "dense: {units: 2, activation: softmax}"],
                                     loss: "cross_entropy")
        model.encoding = Self.encoding
        return model
    }

    @Test func theDataHoldsOneIdPerEmbeddedColumnAfterTheDenseFeatures() throws {
        let model = try embeddedModel()
        #expect(model.dataShape == [6])
        #expect(Self.encoding.modelWidth == 9)
        #expect(Self.encoding.embeddings.map(\.rows) == [5, 3])
        let graph = try Compiler.graph(model, batchSize: 3, stage: .differentiated).0
        #expect(graph.parameters.map(\.name).prefix(2) == ["d.embedding", "e.embedding"])
        #expect(graph.parameters.first?.shape == [5, 2])
    }

    @Test(arguments: [Compiler.Stage.differentiated, .fused])
    func tableGradientsMatchFiniteDifferences(stage: Compiler.Stage) throws {
        let model = try embeddedModel()
        let batch = 4
        let (graph, _) = try Compiler.graph(model, batchSize: batch, stage: stage)
        let executor = makeExecutor(graph, plan: PlanBuffers.plan(graph))
        // Ids in range, one repeated within the batch so its row sums two examples' gradients.
        let features = try #require(graph.nodes.firstIndex { if case .features = $0.op { return true } else { return false } })
        let ids: [[Float]] = [[1, 0], [4, 1], [1, 0], [0, 1]]
        for row in 0..<batch {
            executor.pointer(features)[row * 6 + 4] = ids[row][0]
            executor.pointer(features)[row * 6 + 5] = ids[row][1]
        }
        func loss() -> Double {
            executor.run()
            return Double(executor.loss)
        }
        let analytic = expectGradientsMatchFiniteDifferences(graph, executor, name: "[\(stage)]",
                                                             elements: { stride(from: 0, to: $0, by: 1) }, loss: loss)
        // Rows no example looks up get no gradient: `d` rows 2 and 3, `e` row 2.
        let tables = graph.trainableParameters.enumerated().filter { graph.parameters[$0.element].name.hasSuffix(".embedding") }
        let d = analytic[tables[0].offset], e = analytic[tables[1].offset]
        #expect(d[4...7].allSatisfy { $0 == 0 })
        #expect(d[2] != 0 && d[8] != 0)
        #expect(e[6] == 0 && e[7] == 0 && e[8] == 0)
    }

    @Test func anIdOutsideTheTableLooksUpZeros() {
        let table: [Float] = [1, 2, 3, 4]
        var y = [Float](repeating: 9, count: 8)
        let ids: [Float] = [1, 2, -1, 0.5]
        Kernels.embedding(ids: ids, table: table, y: &y, count: 4, rows: 2, dimension: 2)
        #expect(y == [3, 4, 0, 0, 0, 0, 0, 0])
    }
}
