import DLCData
import DLCGraph
import Foundation
import SwiftProtobuf

/// What an ONNX export is made from: a forward graph, its trained parameters, and what the data
/// goes through before the graph (the column encoding and the normalization).
public struct ONNXExportModel: Sendable {
    public var name: String
    /// An inference graph (forward only); its batch size becomes the symbolic `batch`.
    public var graph: Graph
    /// Each of `graph.parameters`' values, in order.
    public var parameters: [[Float]]
    public var normalizer: Normalizer
    /// How CSV columns were encoded; nil for IDX images and builtin sets.
    public var encoding: FeatureEncoding?
    /// A classifier's class names (empty for a regression).
    public var classes: [String]
    /// A CSV source's feature columns, in order (metadata for clients).
    public var featureColumns: [String]?
    public var producerVersion: String

    public init(name: String, graph: Graph, parameters: [[Float]], normalizer: Normalizer, encoding: FeatureEncoding?,
                classes: [String], featureColumns: [String]?, producerVersion: String) {
        self.name = name
        self.graph = graph
        self.parameters = parameters
        self.normalizer = normalizer
        self.encoding = encoding
        self.classes = classes
        self.featureColumns = featureColumns
        self.producerVersion = producerVersion
    }
}

/// Why a model cannot be exported.
public enum ONNXExportError: Error, Sendable, CustomStringConvertible {
    /// The graph holds an op with no inference meaning (a loss, a gradient): a caller's mistake.
    case notInference(String)
    /// The parameters do not match the graph's.
    case parameters(String)
    /// The model uses something ONNX export does not cover yet.
    case unsupported(String)

    public var description: String {
        switch self {
        case .notInference(let what): return "the graph is not an inference graph: it holds \(what)"
        case .parameters(let what): return "the parameters do not fit the graph: \(what)"
        case .unsupported(let what): return "ONNX export does not support \(what) yet"
        }
    }
}

/// Writes ONNX models (opset 20, with `ai.onnx.ml` for the category encoders) of dlc's inference graphs.
///
/// The model takes what `dlc predict` reads: either one `features` input shaped like the spec's
/// input (raw values, before normalization), or, for CSV columns with types, one `[batch, 1]`
/// input per column (float with NaN for a missing cell, or the category's text), or, for one text
/// column alone, its `[length]` token ids as `features` (the vocabulary in the metadata `dlc.text`).
/// Sequence layers become ONNX's `LSTM` and `GRU` (time-major, with `sequence_lens`) and masks of
/// the steps past each example's length. dlc's tensors
/// are NHWC; convolutions, pooling and batch norm over images run on NCHW copies made with
/// `Transpose` where an ONNX op needs them (each value is transposed at most once each way).
public enum ONNXExporter {
    public static let opset = 20
    public static let machineLearningOpset = 3
    /// ONNX IR version 9 is the first to allow opset 20.
    public static let irVersion: Int64 = 9

    public static func export(_ model: ONNXExportModel) throws(ONNXExportError) -> Data {
        let proto = try modelProto(model)
        do { return try proto.serializedData() } catch {
            preconditionFailure("internal: a model proto did not serialize: \(error)")
        }
    }

    static func modelProto(_ model: ONNXExportModel) throws(ONNXExportError) -> Onnx_ModelProto {
        guard model.parameters.count == model.graph.parameters.count else {
            throw .parameters("\(model.parameters.count) tensors for \(model.graph.parameters.count) parameters")
        }
        for (info, values) in zip(model.graph.parameters, model.parameters) where values.count != info.elementCount {
            throw .parameters("`\(info.name)` has \(values.count) values, its shape \(info.shape) needs \(info.elementCount)")
        }
        var lowering = ONNXLowering(model: model)
        try lowering.lowerGraph()
        var proto = Onnx_ModelProto()
        proto.irVersion = irVersion
        proto.producerName = "dlc"
        proto.producerVersion = model.producerVersion
        proto.domain = "dev.dlc"
        proto.modelVersion = 1
        proto.docString = "\(model.name), exported by dlc \(model.producerVersion). " + lowering.inputDescription
        var standard = Onnx_OperatorSetIdProto()
        standard.domain = ""
        standard.version = Int64(opset)
        var machineLearning = Onnx_OperatorSetIdProto()
        machineLearning.domain = "ai.onnx.ml"
        machineLearning.version = Int64(machineLearningOpset)
        proto.opsetImport = [standard, machineLearning]
        proto.graph = lowering.builder.graph
        proto.metadataProps = metadata(model, inputs: lowering.inputDescription)
        return proto
    }

    static func metadata(_ model: ONNXExportModel, inputs: String) -> [Onnx_StringStringEntryProto] {
        var entries: [(String, String)] = [("dlc.name", model.name), ("dlc.inputs", inputs)]
        if !model.classes.isEmpty { entries.append(("dlc.classes", json(model.classes))) }
        if let columns = model.featureColumns { entries.append(("dlc.feature_columns", json(columns))) }
        if let encoding = model.encoding, !ONNXLowering.takesOneInput(encoding) || encoding.onlyText != nil {
            entries.append(("dlc.missing_values", json(ONNXLowering.missingMarkers(encoding))))
        }
        if let encoding = model.encoding, let text = ONNXLowering.textColumn(encoding) { entries.append(("dlc.text", json(text))) }
        entries.append(("dlc.normalize", model.normalizer.mode.rawValue))
        return entries.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
