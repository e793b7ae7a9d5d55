import DLCCheck
import DLCCompile
import DLCGraph
import Testing

/// The passes over graph models: branches, merges and values that outlive their neighbours.
struct GraphPassTests {
    static func branchingModel() throws -> CheckedModel {
        try checkedModel(input: "[4]", layers: [
            "dense: {units: 6, activation: tanh, name: shared}",
            "dense: {units: 5, activation: relu, name: left}",
            "dense: {units: 5, activation: sigmoid, name: right, from: shared}",
            "add: {from: [left, right]}", "dense: {units: 2}",
        ], loss: "cross_entropy", data: "{csv: none.csv, target: label}", batchSize: 4)
    }

    static func residualModel() throws -> CheckedModel {
        try checkedModel(input: "[8, 8, 2]", layers: [
            "conv2d: {filters: 4, kernel: 3, padding: same, use_bias: false}", "batchnorm", "relu",
            "residual: {layers: [conv2d: {filters: 4, kernel: 3, padding: same, use_bias: false}, batchnorm, relu, conv2d: {filters: 4, kernel: 3, padding: same, use_bias: false}, batchnorm]}",
            "relu",
            "residual: {layers: [conv2d: {filters: 8, kernel: 3, stride: 2, padding: same}, relu]}",
            "global_avgpool", "dense: {units: 3}",
        ], loss: "cross_entropy", data: "{csv: none.csv, target: label}", batchSize: 4)
    }

    /// The one rule: the gradient of a value read by several ops is the sum of what each sends back.
    @Test func differentiateAddsUpTheGradientsOfAValueReadTwice() throws {
        let (graph, _) = try Compiler.graph(try Self.branchingModel(), batchSize: 4, stage: .differentiated)
        // `shared`'s tanh output is read by both branches' matmuls.
        let shared = try #require(graph.nodes.lastIndex { $0.label == "shared" && $0.op.name == "activation" })
        let gradient = try #require(graph.nodes.firstIndex {
            if case .activationGradientFromOutput(shared, _, _) = $0.op { return true }
            return false
        })
        guard case .activationGradientFromOutput(_, let dy, _) = graph.nodes[gradient].op,
              case .add(let fromLeft, let fromRight) = graph.nodes[dy].op else {
            Issue.record("the gradient into `shared` is not a sum: \(graph.nodes[gradient].op)")
            return
        }
        for (part, branch) in [(fromLeft, "left"), (fromRight, "right")] {
            guard case .matmulGradientLeft = graph.nodes[part].op else {
                Issue.record("a summand is \(graph.nodes[part].op.name), not a matmul gradient")
                continue
            }
            #expect(graph.nodes[part].label == branch || graph.nodes[part].label == (branch == "left" ? "right" : "left"))
        }
        #expect(Set([graph.nodes[fromLeft].label, graph.nodes[fromRight].label]) == ["left", "right"])
    }

    /// A residual block is layers plus an `add`: the lowered graph has one add per block and the
    /// projection's convolution on the strided block's shortcut, reading the block's input.
    @Test func aResidualBlockLowersToLayersAndAnAdd() throws {
        let model = try Self.residualModel()
        #expect(model.layers.map(\.name).contains("residual_12.projection"))
        let (graph, _) = try Compiler.graph(model, batchSize: 4, stage: .lowered)
        let adds = graph.nodes.filter { if case .add = $0.op { return true }; return false }
        #expect(adds.map(\.label) == ["residual_8", "residual_12"])
        let projection = try #require(graph.nodes.first { $0.label == "residual_12.projection" && $0.op.name == "conv2d" })
        guard case .conv2d(let input, _, let window, _) = projection.op else { return }
        #expect(graph.nodes[input].label == "relu_9")
        #expect(window.height == 1 && window.strideHeight == 2)
        #expect(graph.parameters.contains { $0.name == "residual_12.projection.weight" && $0.shape == [1, 1, 4, 8] })
    }

    /// Buffers never share memory while either is live, including values kept across a block
    /// (the shortcut) and views of packed gradients.
    @Test(arguments: [false, true])
    func plannedBuffersOfGraphModelsNeverOverlapWhileLive(residual: Bool) throws {
        let model = residual ? try Self.residualModel() : try Self.branchingModel()
        for stage in [Compiler.Stage.planned] {
            let (graph, plan) = try Compiler.graph(model, batchSize: 4, stage: stage)
            let plan2 = try #require(plan)
            // Views live in their owner's buffer: a reader of a view keeps the owner alive.
            var owner = Array(graph.nodes.indices)
            for (index, node) in graph.nodes.enumerated() where node.op.isView { owner[index] = owner[node.op.operands[0]] }
            var lastUse = Array(graph.nodes.indices)
            for (index, node) in graph.nodes.enumerated() {
                for operand in node.op.operands { lastUse[owner[operand]] = max(lastUse[owner[operand]], index) }
                if case .biasActivation(let x, _, _) = node.op, case .conv2d(let input, _, _, _) = graph.nodes[x].op {
                    lastUse[owner[input]] = max(lastUse[owner[input]], index)
                }
            }
            for output in graph.outputs { lastUse[owner[output]] = graph.nodes.count }
            for (index, node) in graph.nodes.enumerated() {
                switch node.op {
                case .features, .labels, .targets: lastUse[index] = graph.nodes.count
                default: break
                }
            }
            let buffers = graph.nodes.indices.compactMap { index -> (Int, Range<Int>)? in
                guard let offset = plan2.offsets[index], !graph.nodes[index].op.isView else { return nil }
                if case .parameter = graph.nodes[index].op { return nil }
                let floats = graph.nodes[index].elementCount + graph.nodes[index].op.auxiliarySize(in: graph)
                return (index, offset..<(offset + floats))
            }
            for (a, rangeA) in buffers {
                for (b, rangeB) in buffers where a < b && rangeA.overlaps(rangeB) {
                    #expect(lastUse[a] < b, "%\(a) (\(graph.nodes[a].label)) and %\(b) (\(graph.nodes[b].label)) share memory while %\(a) is live")
                }
            }
        }
    }

    /// `dlc compile --emit dot` draws both branches out of the input.
    @Test func dotDrawsTheBranches() throws {
        let model = try checkedModel(input: "[8, 8, 1]", layers: [
            "conv2d: {filters: 2, kernel: 3, padding: same, name: narrow}",
            "conv2d: {filters: 2, kernel: 5, padding: same, name: wide, from: input}",
            "concat: {from: [narrow, wide]}", "flatten", "dense: {units: 2}",
        ], loss: "cross_entropy", data: "{csv: none.csv, target: label}", batchSize: 2)
        let (graph, _) = try Compiler.graph(model, batchSize: 2, stage: .lowered)
        let features = try #require(graph.nodes.firstIndex { $0.op == .features })
        let dot = Printer.dot(graph)
        let edges = dot.split(separator: "\n").filter { $0.hasPrefix("  n\(features) -> ") }
        #expect(edges.count == 2)
        #expect(dot.contains("concat"))
    }
}
