import DLCCheck
import DLCData
import DLCGraph

extension Lower {
    /// The model's inputs: `input`, and with several inputs each by name (a text column's ids
    /// `[batch, length]`, narrowed out of the data's examples, and `features`: the rest).
    static func encodedInputs(_ model: CheckedModel, batchSize: Int, in graph: inout Graph) -> (input: ValueID, named: [String: ValueID]) {
        let named = model.namedInputs
        guard !named.isEmpty, let encoding = model.encoding else { return (encodedInput(model, batchSize: batchSize, in: &graph), [:]) }
        let features = graph.add(.features, shape: [batchSize] + model.dataShape, label: "input")
        var values: [String: ValueID] = [:]
        for text in encoding.texts {
            guard let start = encoding.textOffset(of: text.column) else { continue }
            values[text.column] = graph.add(.narrow(features, axis: 1, start: start, length: text.length), label: text.column)
        }
        if named["features"] != nil { values["features"] = encodedFeatures(features, encoding, batchSize: batchSize, in: &graph) }
        return (values["features"] ?? features, values)
    }

    /// The model's input: the data's features, with each embedded column's id looked up in its
    /// table (`COLUMN.embedding`, `[rows, dimension]`, drawn from N(0, 1) as PyTorch's
    /// `nn.Embedding`) and joined after the dense features: `[batch] + model.inputShape`.
    static func encodedInput(_ model: CheckedModel, batchSize: Int, in graph: inout Graph) -> ValueID {
        let features = graph.add(.features, shape: [batchSize] + model.dataShape, label: "input")
        guard let encoding = model.encoding, !encoding.embeddings.isEmpty else { return features }
        return encodedFeatures(features, encoding, batchSize: batchSize, in: &graph)
    }

    /// The dense features and the embedded columns' vectors of `features` `[batch, dataWidth]`
    /// (a text column's ids, after them, are left out).
    static func encodedFeatures(_ features: ValueID, _ encoding: FeatureEncoding, batchSize: Int, in graph: inout Graph) -> ValueID {
        var parts: [ValueID] = []
        let dense = encoding.denseWidth
        if dense > 0 { parts.append(graph.add(.narrow(features, axis: 1, start: 0, length: dense), label: "input")) }
        for (index, embedding) in encoding.embeddings.enumerated() {
            let label = embedding.column
            let ids = graph.add(.narrow(features, axis: 1, start: dense + index, length: 1), label: label)
            let table = graph.addParameter(ParameterInfo(name: "\(embedding.column).embedding", shape: [embedding.rows, embedding.dimension],
                                                         initializer: "lecun_normal", fanIn: 1, fanOut: embedding.dimension), label: label)
            let looked = graph.add(.embedding(ids: ids, table: table), label: label)      // [batch, 1, dimension]
            parts.append(graph.add(.reshape(looked), shape: [batchSize, embedding.dimension], label: label))
        }
        return parts.count == 1 ? parts[0] : graph.add(.concat(parts, axis: 1), label: "input")
    }
}
