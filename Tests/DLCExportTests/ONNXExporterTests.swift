import DLCData
import DLCGraph
import Foundation
import Testing
@testable import DLCExport

/// The exporter's structure: what it writes for small graphs. That onnxruntime computes what
/// `dlc predict` does is `Tests/ONNX/check_export.py`'s job (run by `.ci/onnx`).
@Suite("ONNX export")
struct ONNXExporterTests {
    /// features [b, 4, 4, 1] -> conv 3x3 same (2 filters) + bias -> relu -> global average pool -> dense 3 -> softmax.
    static func convolutionModel() -> ONNXExportModel {
        var graph = Graph(batchSize: 1)
        let x = graph.add(.features, shape: [1, 4, 4, 1], label: "input")
        let w = graph.addParameter(ParameterInfo(name: "conv.weight", shape: [3, 3, 1, 2], initializer: "zeros", fanIn: 9, fanOut: 18), label: "conv")
        let b = graph.addParameter(ParameterInfo(name: "conv.bias", shape: [2], initializer: "zeros", fanIn: 9, fanOut: 18), label: "conv")
        let window = WindowAttributes(height: 3, width: 3, strideHeight: 1, strideWidth: 1, samePadding: true)
        var y = graph.add(.conv2d(x, weight: w, window, keepsColumns: false), shape: [1, 4, 4, 2], label: "conv")
        y = graph.add(.addBias(y, bias: b), shape: [1, 4, 4, 2], label: "conv")
        y = graph.add(.activation(y, ActivationFunction(.relu)), shape: [1, 4, 4, 2], label: "conv")
        y = graph.add(.globalAveragePool(y), shape: [1, 2], label: "pool")
        let d = graph.addParameter(ParameterInfo(name: "dense.weight", shape: [2, 3], initializer: "zeros", fanIn: 2, fanOut: 3), label: "dense")
        y = graph.add(.matmul(y, d), shape: [1, 3], label: "dense")
        y = graph.add(.softmax(y), shape: [1, 3], label: "dense")
        graph.prediction = y
        let parameters = graph.parameters.map { info in (0..<info.elementCount).map { Float($0) } }
        return ONNXExportModel(name: "tiny", graph: graph, parameters: parameters,
                               normalizer: Normalizer(mode: .minmax, offsets: Array(repeating: 0, count: 16), scales: Array(repeating: 1 / 255, count: 16)),
                               encoding: nil, classes: ["a", "b", "c"], featureColumns: nil, producerVersion: "test")
    }

    @Test("A convolution model: one transpose in, weights as [cout, cin, kh, kw], normalization first, softmax and label out")
    func convolution() throws {
        let data = try ONNXExporter.export(Self.convolutionModel())
        let model = try Onnx_ModelProto(serializedBytes: data)
        #expect(model.opsetImport.map(\.version) == [20, 3])
        #expect(model.graph.input.map(\.name) == ["features"])
        let input = model.graph.input[0].type.tensorType.shape.dim
        #expect(input.first?.dimParam == "batch")
        #expect(input.dropFirst().map(\.dimValue) == [4, 4, 1])
        #expect(model.graph.output.map(\.name) == ["probabilities", "label"])
        let types = model.graph.node.map(\.opType)
        #expect(types == ["Sub", "Mul", "Transpose", "Conv", "Add", "Relu", "GlobalAveragePool", "Flatten", "MatMul", "Softmax",
                          "Identity", "ArgMax", "LabelEncoder"])
        let conv = try #require(model.graph.node.first { $0.opType == "Conv" })
        #expect(conv.attribute.first { $0.name == "pads" }?.ints == [1, 1, 1, 1])
        let weight = try #require(model.graph.initializer.first { $0.name == "conv.weight" })
        #expect(weight.dims == [2, 1, 3, 3])
        // dlc's [kh, kw, cin, cout] element (kh 0, kw 1, cin 0, cout 1) is ONNX's [1, 0, 0, 1].
        let values = weight.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values[1 * 9 + 0 * 3 + 1] == Float((0 * 3 + 1) * 2 + 1))
        #expect(model.graph.initializer.first { $0.name == "conv.bias" }?.dims == [2, 1, 1])
        #expect(model.metadataProps.first { $0.key == "dlc.classes" }?.value == #"["a","b","c"]"#)
    }

    @Test("permute reorders axes like numpy.transpose")
    func permute() {
        // [2, 3] -> [3, 2]
        let (shape, values) = ONNXLowering.permute([0, 1, 2, 3, 4, 5], shape: [2, 3], [1, 0])
        #expect(shape == [3, 2])
        #expect(values == [0, 3, 1, 4, 2, 5])
    }

    @Test("A training graph is refused, naming what it holds")
    func trainingGraph() {
        var model = Self.convolutionModel()
        let labels = model.graph.add(.labels, shape: [1], label: "loss")
        model.graph.add(.loss(.crossEntropy(labelSmoothing: 0), prediction: model.graph.prediction!, target: labels), shape: [1], label: "loss")
        #expect(throws: ONNXExportError.self) { try ONNXExporter.export(model) }
    }

    @Test("Typed columns: one input per column, categories through LabelEncoder, missing numbers filled, a single sigmoid as two probabilities")
    func typedColumns() throws {
        var graph = Graph(batchSize: 1)
        let x = graph.add(.features, shape: [1, 5], label: "input")
        let w = graph.addParameter(ParameterInfo(name: "out.weight", shape: [5, 1], initializer: "zeros", fanIn: 5, fanOut: 1), label: "out")
        graph.prediction = graph.add(.matmul(x, w), shape: [1, 1], label: "out")
        graph.predictionIsLogits = true
        let encoding = FeatureEncoding(columns: [
            .init(name: "size", kind: .number(fill: 2.5, indicator: true)),
            .init(name: "colour", kind: .oneHot(values: ["red", "blue"], hasMissing: true)),
        ], missingValues: ["NA"])
        let model = ONNXExportModel(name: "typed", graph: graph, parameters: [[1, 2, 3, 4, 5]],
                                    normalizer: Normalizer(mode: .none, offsets: [], scales: []), encoding: encoding,
                                    classes: ["no", "yes"], featureColumns: ["size", "colour"], producerVersion: "test")
        let proto = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(model))
        #expect(proto.graph.input.map(\.name) == ["size", "colour"])
        #expect(proto.graph.input.map(\.type.tensorType.elemType) == [1, 8])
        let encoder = try #require(proto.graph.node.first { $0.opType == "LabelEncoder" && $0.input == ["colour"] })
        #expect(encoder.domain == "ai.onnx.ml")
        #expect(encoder.attribute.first { $0.name == "keys_strings" }?.strings.map { String(decoding: $0, as: UTF8.self) } == ["red", "blue", "", "na", "nA", "Na", "NA"])
        #expect(encoder.attribute.first { $0.name == "values_int64s" }?.ints == [0, 1, 2, 2, 2, 2, 2])
        #expect(proto.graph.node.contains { $0.opType == "Where" })
        #expect(proto.graph.node.contains { $0.opType == "Sigmoid" })
        #expect(proto.metadataProps.first { $0.key == "dlc.missing_values" }?.value == #"["","NA"]"#)
    }

    // MARK: Sequences

    /// Token ids [b, 6] (one text column) -> embedding 3 -> masked -> conv1d (a reshaped kernel) ->
    /// masked -> a bidirectional `cell` of 2 units, final states or sequences pooled -> dense 2 -> softmax.
    static func textModel(_ cell: RecurrentCell, returnsSequences: Bool) -> ONNXExportModel {
        var graph = Graph(batchSize: 1)
        let ids = graph.add(.features, shape: [1, 6], label: "input")
        let lengths = graph.add(.sequenceLengths(ids), label: "embedding")
        let table = graph.addParameter(ParameterInfo(name: "embedding.weight", shape: [5, 3], initializer: "zeros", fanIn: 1, fanOut: 3),
                                       label: "embedding")
        var x = graph.add(.embedding(ids: ids, table: table), label: "embedding")
        x = graph.add(.maskSteps(x, lengths: lengths), label: "embedding")
        let kernel = graph.addParameter(ParameterInfo(name: "conv.weight", shape: [2, 3, 4], initializer: "zeros", fanIn: 6, fanOut: 8),
                                        label: "conv")
        let kernel2D = graph.add(.reshape(kernel), shape: [1, 2, 3, 4], label: "conv")
        let image = graph.add(.reshape(x), shape: [1, 1, 6, 3], label: "conv")
        let window = WindowAttributes(height: 1, width: 2, strideHeight: 1, strideWidth: 2, samePadding: true)
        let convolved = graph.add(.conv2d(image, weight: kernel2D, window, keepsColumns: false), label: "conv")
        x = graph.add(.reshape(convolved), shape: [1, 3, 4], label: "conv")
        let strided = graph.add(.strideLengths(lengths, stride: 2, limit: 3), label: "conv")
        x = graph.add(.maskSteps(x, lengths: strided), label: "conv")
        let width = cell.gates * 2
        var directions: [ValueID] = []
        for reverse in [false, true] {
            let suffix = reverse ? "_reverse" : ""
            func parameter(_ what: String, _ shape: [Int]) -> ValueID {
                graph.addParameter(ParameterInfo(name: "rnn.\(what)\(suffix)", shape: shape, initializer: "zeros", fanIn: 2, fanOut: width),
                                   label: "rnn")
            }
            let wi = parameter("weight_ih", [4, width]), wh = parameter("weight_hh", [2, width])
            let bi = parameter("bias_ih", [width]), bh = parameter("bias_hh", [width])
            let attributes = RecurrentAttributes(cell: cell, units: 2, reverse: reverse, returnsSequences: returnsSequences)
            directions.append(graph.add(.recurrent(x, weightInput: wi, weightHidden: wh, biasInput: bi, biasHidden: bh, lengths: strided,
                                                   attributes), label: "rnn"))
        }
        x = graph.add(.concat(directions, axis: returnsSequences ? 2 : 1), label: "rnn")
        if returnsSequences { x = graph.add(.sequencePool(x, lengths: strided, maximum: true), label: "pool") }
        let dense = graph.addParameter(ParameterInfo(name: "dense.weight", shape: [4, 2], initializer: "zeros", fanIn: 4, fanOut: 2),
                                       label: "dense")
        x = graph.add(.matmul(x, dense), label: "dense")
        graph.prediction = graph.add(.softmax(x), label: "dense")
        let parameters = graph.parameters.map { info in (0..<info.elementCount).map { Float($0) } }
        let encoding = FeatureEncoding(columns: [
            .init(name: "word", kind: .text(vocabulary: ["a", "b", "é"], tokenizer: TextTokenizer(tokens: .characters, lowercase: true), length: 6)),
        ], missingValues: ["NA"])
        return ONNXExportModel(name: "text", graph: graph, parameters: parameters, normalizer: Normalizer(mode: .none, offsets: [], scales: []),
                               encoding: encoding, classes: ["x", "y"], featureColumns: ["word"], producerVersion: "test")
    }

    static func floats(_ tensor: Onnx_TensorProto) -> [Float] {
        tensor.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    @Test("A text model: token ids in, lengths from the last non-zero id, one bidirectional LSTM with sequence_lens, the vocabulary in dlc.text")
    func textLSTM() throws {
        let proto = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(Self.textModel(.lstm, returnsSequences: false)))
        #expect(proto.graph.input.map(\.name) == ["features"])
        #expect(proto.graph.input[0].type.tensorType.elemType == 1)
        #expect(proto.graph.input[0].type.tensorType.shape.dim.dropFirst().map(\.dimValue) == [6])
        let types = proto.graph.node.map(\.opType)
        #expect(types.filter { $0 == "LSTM" }.count == 1)
        #expect(types.contains("ReduceMax") && types.contains("Ceil") && types.contains("Gather"))
        let lstm = try #require(proto.graph.node.first { $0.opType == "LSTM" })
        #expect(lstm.attribute.first { $0.name == "direction" }?.s == Data("bidirectional".utf8))
        #expect(lstm.attribute.first { $0.name == "hidden_size" }?.i == 2)
        #expect(lstm.input.count == 5)
        let lens = try #require(proto.graph.node.first { $0.output == [lstm.input[4]] })
        #expect(lens.opType == "Cast" && lens.attribute.first { $0.name == "to" }?.i == 6)
        #expect(lstm.output == ["", lstm.output[1]])
        // W [2 directions, 4 gates * 2 units, 4 inputs]: ONNX's gate o (row 2) is dlc's gate o (column 6) of
        // weight_ih [4, 8], whose values count from 0: row 2, input 1 is dlc's [1, 6] = 14.
        let w = try #require(proto.graph.initializer.first { $0.name == lstm.input[1] })
        #expect(w.dims == [2, 8, 4])
        let values = Self.floats(w)
        #expect(values[2 * 4 + 1] == 14)
        // ONNX's f (rows 4, 5) is dlc's f (columns 2, 3): row 4, input 0 is dlc's [0, 2] = 2; the reverse direction follows.
        #expect(values[4 * 4 + 0] == 2)
        #expect(values[32 + 2 * 4 + 1] == 14)
        let b = try #require(proto.graph.initializer.first { $0.name == lstm.input[3] })
        #expect(b.dims == [2, 16])
        #expect(Array(Self.floats(b)[0..<8]) == [0, 1, 6, 7, 2, 3, 4, 5])
        // The conv1d's kernel [2, 3, 4] viewed as [1, 2, 3, 4] -> ONNX [4, 3, 1, 2].
        let conv = try #require(proto.graph.node.first { $0.opType == "Conv" })
        #expect(proto.graph.initializer.first { $0.name == conv.input[1] }?.dims == [4, 3, 1, 2])
        let metadata = Dictionary(uniqueKeysWithValues: proto.metadataProps.map { ($0.key, $0.value) })
        let text = try #require(metadata["dlc.text"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["vocabulary"] as? [String] == ["a", "b", "é"])
        #expect(object["tokens"] as? String == "characters")
        #expect(object["length"] as? Int == 6)
        #expect(object["first_token_id"] as? Int == 2)
        #expect(metadata["dlc.missing_values"] == #"["","NA"]"#)
        #expect(metadata["dlc.inputs"]?.contains("token ids") == true)
        #expect(metadata["dlc.inputs"]?.contains("dlc.text") == true)
    }

    @Test("A bidirectional GRU's sequences: linear_before_reset, gates z, r, h, Y batch-major and masked, max over real steps")
    func textGRUSequences() throws {
        let proto = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(Self.textModel(.gru, returnsSequences: true)))
        let gru = try #require(proto.graph.node.first { $0.opType == "GRU" })
        #expect(gru.attribute.first { $0.name == "linear_before_reset" }?.i == 1)
        #expect(gru.output.count == 1)
        let b = try #require(proto.graph.initializer.first { $0.name == gru.input[3] })
        // bias_ih then bias_hh of the forward direction, each z, r, h <- r, z, n.
        #expect(Array(Self.floats(b)[0..<12]) == [2, 3, 0, 1, 4, 5, 2, 3, 0, 1, 4, 5])
        let transpose = try #require(proto.graph.node.first { $0.input.first == gru.output[0] })
        #expect(transpose.opType == "Transpose" && transpose.attribute.first?.ints == [2, 0, 1, 3])
        #expect(proto.graph.node.contains { $0.opType == "ReduceMax" && $0.name.hasPrefix("pool") })
        #expect(proto.graph.node.filter { $0.opType == "Where" }.count >= 3)
    }

    @Test("One direction alone is its own ONNX op: reverse, the final state squeezed")
    func reverseDirection() throws {
        var model = Self.textModel(.gru, returnsSequences: false)
        // Read the reverse direction alone: the concat's second operand becomes the prediction's input.
        let concat = try #require(model.graph.nodes.firstIndex { if case .concat = $0.op { return true } else { return false } })
        guard case .concat(let parts, _) = model.graph.nodes[concat].op else { return }
        let dense = try #require(model.graph.nodes.indices.first { if case .matmul = model.graph.nodes[$0].op { return true } else { return false } })
        guard case .matmul(_, let weight) = model.graph.nodes[dense].op else { return }
        model.graph.nodes[dense].op = .matmul(parts[1], weight)
        model.graph.parameters[model.graph.parameters.count - 1].shape = [2, 2]
        model.graph.nodes[weight].shape = [2, 2]
        model.parameters[model.parameters.count - 1] = [0, 1, 2, 3]
        let proto = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(model))
        let grus = proto.graph.node.filter { $0.opType == "GRU" }
        #expect(grus.compactMap { $0.attribute.first { $0.name == "direction" }.map { String(decoding: $0.s, as: UTF8.self) } } == ["forward", "reverse"])
        #expect(grus.allSatisfy { $0.input[0] == grus[0].input[0] })
    }

    /// Token ids [b, 6] -> embedding 4 -> a positional table as one reshaped bias -> qkv [b, 6, 12]
    /// -> causal self-attention of 2 heads -> mean over real steps -> dense 2 -> softmax.
    static func attentionModel() -> ONNXExportModel {
        var graph = Graph(batchSize: 1)
        let ids = graph.add(.features, shape: [1, 6], label: "input")
        let lengths = graph.add(.sequenceLengths(ids), label: "embedding")
        func parameter(_ name: String, _ shape: [Int]) -> ValueID {
            graph.addParameter(ParameterInfo(name: name, shape: shape, initializer: "zeros", fanIn: 1, fanOut: 1), label: name)
        }
        let table = parameter("embedding.weight", [5, 4])
        var x = graph.add(.embedding(ids: ids, table: table), label: "embedding")
        let positions = parameter("positions.weight", [6, 4])
        let flat = graph.add(.reshape(x), shape: [1, 24], label: "positions")
        let bias = graph.add(.reshape(positions), shape: [24], label: "positions")
        x = graph.add(.reshape(graph.add(.addBias(flat, bias: bias), label: "positions")), shape: [1, 6, 4], label: "positions")
        let rows = graph.add(.reshape(x), shape: [6, 4], label: "attention")
        let projected = graph.add(.matmul(rows, parameter("attention.in_proj_weight", [4, 12])), label: "attention")
        let qkv = graph.add(.reshape(projected), shape: [1, 6, 12], label: "attention")
        x = graph.add(.attention(qkv, lengths: lengths, heads: 2, causal: true), label: "attention")
        x = graph.add(.sequencePool(x, lengths: lengths, maximum: false), label: "pool")
        x = graph.add(.matmul(x, parameter("dense.weight", [4, 2])), label: "dense")
        graph.prediction = graph.add(.softmax(x), label: "dense")
        let parameters = graph.parameters.map { info in (0..<info.elementCount).map { Float($0) } }
        let encoding = FeatureEncoding(columns: [
            .init(name: "word", kind: .text(vocabulary: ["a", "b", "c"], tokenizer: TextTokenizer(tokens: .characters, lowercase: true), length: 6)),
        ], missingValues: [])
        return ONNXExportModel(name: "attention", graph: graph, parameters: parameters, normalizer: Normalizer(mode: .none, offsets: [], scales: []),
                               encoding: encoding, classes: ["x", "y"], featureColumns: ["word"], producerVersion: "test")
    }

    @Test("Self-attention: heads from a reshape of qkv, scaled scores masked by the lengths and causality, softmax, padded queries zeroed")
    func attention() throws {
        let proto = try Onnx_ModelProto(serializedBytes: ONNXExporter.export(Self.attentionModel()))
        let nodes = proto.graph.node
        // The positional table as one bias of 24 values.
        let positions = try #require(proto.graph.initializer.first { $0.name == "positions.weight" })
        #expect(positions.dims == [24])
        #expect(nodes.contains { $0.opType == "Add" && $0.input.contains("positions.weight") })
        let heads = try #require(nodes.first { $0.name == "attention_heads/Reshape" })
        let headShape = try #require(proto.graph.initializer.first { $0.name == heads.input[1] })
        #expect(headShape.int64Data == [-1, 6, 3, 2, 2])
        #expect(nodes.filter { $0.opType == "Gather" && $0.input.first == heads.output[0] }.count == 3)
        let scale = try #require(proto.graph.initializer.first { $0.name == "attention_scale" })
        #expect(Self.floats(scale) == [1 / Float(2).squareRoot()])
        #expect(nodes.contains { $0.opType == "LessOrEqual" } && nodes.contains { $0.opType == "And" })
        let softmax = try #require(nodes.first { $0.name == "attention_probabilities/Softmax" })
        let masked = try #require(nodes.first { $0.output == [softmax.input[0]] })
        #expect(masked.opType == "Where")
        #expect(nodes.filter { $0.opType == "MatMul" && $0.name.hasPrefix("attention_") }.count == 2)
        // The queries past the length are zeroed after the heads are joined.
        let joined = try #require(nodes.first { $0.name == "attention_all_queries/Reshape" })
        #expect(nodes.contains { $0.opType == "Where" && $0.input[1] == joined.output[0] })
    }

    @Test("onnxGateRows transposes dlc's [rows, gates * units] into ONNX's rows in its gate order")
    func gateRows() {
        // 2 rows, 3 gates of 1 unit: dlc columns r, z, n.
        let values: [Float] = [0, 1, 2,
                               3, 4, 5]
        #expect(ONNXLowering.onnxGateRows(values, rows: 2, units: 1, order: ONNXLowering.onnxGateOrder(.gru)) == [1, 4, 0, 3, 2, 5])
        #expect(ONNXLowering.onnxGateOrder(.lstm) == [0, 3, 1, 2])
    }
}
