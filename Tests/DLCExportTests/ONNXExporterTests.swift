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
}
