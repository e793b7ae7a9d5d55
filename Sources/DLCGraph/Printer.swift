/// Stable text and Graphviz renderings of a graph, for `dlc compile --emit ir|dot` and golden tests.
public enum Printer {
    /// One line per node: `%3 = matmul %0, %1 : [16, 4] (dense_0)`, then the parameters and outputs.
    public static func text(_ graph: Graph, offsets: [Int?]? = nil) -> String {
        var lines = ["graph(batch: \(graph.batchSize)) {"]
        for (index, parameter) in graph.parameters.enumerated() {
            lines.append("  param #\(index) \(parameter.name) : \(format(parameter.shape)) init \(parameter.initializer)")
        }
        for (index, node) in graph.nodes.enumerated() {
            var line = "  %\(index) = \(node.op.name)"
            let operands = node.op.operands.map { "%\($0)" }.joined(separator: ", ")
            if !operands.isEmpty { line += " " + operands }
            if !node.op.attributes.isEmpty { line += " [\(node.op.attributes)]" }
            line += " : \(format(node.shape))"
            if let offsets, index < offsets.count {
                line += offsets[index].map { " @\($0)" } ?? (node.op.isView ? " @view" : " @param")
            }
            if !node.label.isEmpty { line += "  // \(node.label)" }
            lines.append(line)
        }
        var outputs: [String] = []
        if let loss = graph.loss { outputs.append("loss: %\(loss)") }
        if let prediction = graph.prediction {
            outputs.append("prediction: %\(prediction)" + (graph.predictionIsLogits ? " (logits)" : ""))
        }
        if !graph.gradients.isEmpty {
            outputs.append("gradients: [" + graph.gradients.map { "%\($0)" }.joined(separator: ", ") + "]")
        }
        lines.append("  return " + outputs.joined(separator: ", "))
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A Graphviz digraph: sources as ellipses, ops as boxes, outputs double-circled.
    public static func dot(_ graph: Graph) -> String {
        var lines = ["digraph dlc {", "  rankdir=TB;", "  node [fontname=\"Helvetica\", fontsize=10];"]
        let outputs = Set(graph.outputs)
        for (index, node) in graph.nodes.enumerated() {
            var label = node.op.name
            if case .parameter(let parameter) = node.op, parameter < graph.parameters.count { label = graph.parameters[parameter].name }
            if !node.op.attributes.isEmpty, !label.contains(".") { label += "\\n" + node.op.attributes }
            label += "\\n" + format(node.shape)
            let shape = node.op.operands.isEmpty ? "ellipse" : (outputs.contains(index) ? "doubleoctagon" : "box")
            lines.append("  n\(index) [label=\"\(escape(label))\", shape=\(shape)];")
        }
        for (index, node) in graph.nodes.enumerated() {
            for operand in node.op.operands { lines.append("  n\(operand) -> n\(index);") }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func format(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "\\\"")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
