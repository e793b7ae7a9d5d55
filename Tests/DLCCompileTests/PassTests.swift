import DLCCheck
import DLCCompile
import DLCGraph
import Foundation
import Testing

/// Golden IR after each pass, the verifier after each pass, and the buffer planner's invariants.
struct PassTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func irisModel() throws -> CheckedModel {
        try checkedModel(input: "[4]", layers: ["dense: {units: 8, activation: relu}", "dropout: {rate: 0.1}", "dense: {units: 3, activation: softmax}"],
                         loss: "cross_entropy", data: "{csv: iris.csv, target: label}", optimizer: "adam", batchSize: 16, metrics: "[accuracy]")
    }

    @Test(arguments: Compiler.Stage.allCases)
    func goldenIR(_ stage: Compiler.Stage) throws {
        let (graph, plan) = try Compiler.graph(try Self.irisModel(), batchSize: 16, stage: stage)
        var text = Printer.text(graph, offsets: plan?.offsets)
        if let plan { text += "// arena: \(plan.arenaSize) floats; without reuse: \(plan.unsharedSize)\n" }
        let url = Self.golden.appendingPathComponent("mlp-\(stage.rawValue).ir")
        if ProcessInfo.processInfo.environment["DLC_RECORD_GOLDEN"] != nil {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(text == (try String(contentsOf: url, encoding: .utf8)), "IR after `\(stage.rawValue)` differs from \(url.lastPathComponent)")
    }

    @Test func everyStageVerifies() throws {
        for stage in Compiler.Stage.allCases {
            let (graph, _) = try Compiler.graph(try Self.irisModel(), batchSize: 5, stage: stage)
            #expect(Verifier.problems(in: graph).isEmpty, "\(stage): \(Verifier.problems(in: graph))")
        }
    }

    @Test func verifierCatchesBrokenGraphs() {
        var graph = Graph(batchSize: 2)
        let x = graph.add(.features, shape: [2, 3], label: "")
        let w = graph.addParameter(ParameterInfo(name: "w", shape: [4, 5], initializer: "zeros", fanIn: 4, fanOut: 5), label: "")
        graph.add(.matmul(x, w), shape: [2, 5], label: "")
        graph.nodes.append(Node(op: .add(7, x), shape: [2, 3], label: ""))
        let problems = Verifier.problems(in: graph)
        #expect(problems.contains { $0.contains("matmul of [2, 3] and [4, 5]") })
        #expect(problems.contains { $0.contains("does not come before it") })
    }

    @Test func fuseMakesStableLossesAndBiasActivations() throws {
        let (graph, _) = try Compiler.graph(try Self.irisModel(), batchSize: 4, stage: .fused)
        let ops = graph.nodes.map(\.op.name)
        #expect(!ops.contains("softmax"))
        #expect(!ops.contains("softmax_gradient"))
        #expect(ops.contains("bias_activation"))
        #expect(graph.predictionIsLogits)
        guard let loss = graph.loss, case .loss(.softmaxCrossEntropy, _, _, _) = graph.nodes[loss].op else {
            Issue.record("the loss is not the fused softmax cross-entropy")
            return
        }
    }

    @Test func plannedBuffersNeverOverlapWhileLive() throws {
        for batch in [1, 7, 64] {
            let (graph, plan) = try Compiler.trainingPlan(try Self.irisModel(), batchSize: batch)
            #expect(plan.arenaSize < plan.unsharedSize)
            var lastUse = Array(graph.nodes.indices)
            for (index, node) in graph.nodes.enumerated() { for operand in node.op.operands { lastUse[operand] = max(lastUse[operand], index) } }
            for output in graph.outputs { lastUse[output] = graph.nodes.count }
            for (index, node) in graph.nodes.enumerated() {
                if case .features = node.op { lastUse[index] = graph.nodes.count }
                if case .labels = node.op { lastUse[index] = graph.nodes.count }
            }
            let buffers = graph.nodes.indices.compactMap { index -> (Int, Range<Int>)? in
                guard let offset = plan.offsets[index], !graph.nodes[index].op.isView else { return nil }
                return (index, offset..<(offset + graph.nodes[index].elementCount))
            }
            for (a, rangeA) in buffers {
                for (b, rangeB) in buffers where a < b && rangeA.overlaps(rangeB) {
                    // b may reuse a's memory only after a's last reader.
                    #expect(lastUse[a] < b, "batch \(batch): %\(a) and %\(b) share memory while %\(a) is live")
                }
            }
        }
    }
}
