import DLCGraph
import Testing

/// The IR on its own: shape rules, the verifier, the printers.
struct GraphTests {
    /// `[2, 3] x [3, 4] + [4]`, relu: a dense layer by hand.
    static func denseGraph() -> Graph {
        var graph = Graph(batchSize: 2)
        let x = graph.add(.features, shape: [2, 3], label: "input")
        let w = graph.addParameter(ParameterInfo(name: "d.weight", shape: [3, 4], initializer: "he_uniform", fanIn: 3, fanOut: 4), label: "d")
        let b = graph.addParameter(ParameterInfo(name: "d.bias", shape: [4], initializer: "zeros", fanIn: 3, fanOut: 4), label: "d")
        let y = graph.add(.matmul(x, w), label: "d")
        let z = graph.add(.addBias(y, bias: b), label: "d")
        graph.prediction = graph.add(.activation(z, ActivationFunction(.relu)), label: "d")
        return graph
    }

    @Test func shapeRulesFollowTheOperands() {
        let graph = Self.denseGraph()
        #expect(graph.nodes.map(\.shape) == [[2, 3], [3, 4], [4], [2, 4], [2, 4], [2, 4]])
        #expect(Verifier.problems(in: graph).isEmpty)
    }

    @Test func convolutionWindowsGiveValidAndSameShapes() {
        let valid = WindowAttributes(height: 3, width: 3, strideHeight: 1, strideWidth: 1, samePadding: false)
        let same = WindowAttributes(height: 3, width: 3, strideHeight: 2, strideWidth: 2, samePadding: true)
        #expect(valid.outputShape([8, 28, 28, 1], channels: 16) == [8, 26, 26, 16])
        #expect(same.outputShape([8, 28, 28, 1], channels: 16) == [8, 14, 14, 16])
        #expect(same.outputShape([8, 7, 7, 4], channels: 4) == [8, 4, 4, 4])
    }

    @Test func verifierReportsOperandsOutOfOrderAndShapeMismatches() {
        var outOfOrder = Self.denseGraph()
        outOfOrder.nodes.append(Node(op: .add(99, 0), shape: [2, 3], label: ""))
        #expect(Verifier.problems(in: outOfOrder).contains { $0.contains("reads %99") })
        var mismatched = Self.denseGraph()
        mismatched.nodes.append(Node(op: .multiply(3, 0), shape: [2, 4], label: ""))
        #expect(Verifier.problems(in: mismatched).contains { $0.contains("operands [2, 4] and [2, 3] differ") })
    }

    @Test func textPrinterIsStable() {
        let expected = """
            graph(batch: 2) {
              param #0 d.weight : [3, 4] init he_uniform
              param #1 d.bias : [4] init zeros
              %0 = features : [2, 3]  // input
              %1 = parameter [#0] : [3, 4]  // d
              %2 = parameter [#1] : [4]  // d
              %3 = matmul %0, %1 : [2, 4]  // d
              %4 = add_bias %3, %2 : [2, 4]  // d
              %5 = activation %4 [relu] : [2, 4]  // d
              return prediction: %5
            }

            """
        #expect(Printer.text(Self.denseGraph()) == expected)
    }

    @Test func dotPrinterDrawsEveryEdge() {
        let dot = Printer.dot(Self.denseGraph())
        #expect(dot.hasPrefix("digraph dlc {"))
        for edge in ["n0 -> n3", "n1 -> n3", "n3 -> n4", "n2 -> n4", "n4 -> n5"] { #expect(dot.contains(edge)) }
        #expect(dot.contains("label=\"d.weight\\n[3, 4]\""))
    }
}
