import Foundation
import SwiftProtobuf

/// Collects an ONNX graph: nodes in order, initializers, inputs and outputs, with unique names.
struct ONNXGraphBuilder {
    /// The ONNX element types dlc writes (`TensorProto.DataType`).
    enum ElementType: Int32 {
        case float = 1
        case int64 = 7
        case string = 8
        case bool = 9
    }

    /// A tensor dimension: fixed, or the symbolic batch.
    enum Dimension {
        case batch
        case fixed(Int)
    }

    private(set) var graph = Onnx_GraphProto()
    private var used: Set<String> = []
    private var counter = 0
    /// The small constants made so far, by type, shape and values: one initializer for each.
    private var constants: [String: String] = [:]

    init(name: String) {
        graph.name = name
    }

    /// A fresh value name from `base` (`conv1`, `conv1_1`, ...).
    mutating func name(_ base: String) -> String {
        let cleaned = base.isEmpty ? "value" : base
        var candidate = cleaned
        while used.contains(candidate) {
            counter += 1
            candidate = "\(cleaned)_\(counter)"
        }
        used.insert(candidate)
        return candidate
    }

    /// Keeps `names` (the model's inputs and outputs) from being given to other values.
    mutating func reserve(_ names: [String]) {
        used.formUnion(names)
    }

    /// Adds one node and returns its output's name (`output`, a reserved name, when given).
    @discardableResult
    mutating func node(_ type: String, _ inputs: [String], name base: String, domain: String = "",
                       attributes: [Onnx_AttributeProto] = [], output: String? = nil) -> String {
        var node = Onnx_NodeProto()
        node.opType = type
        node.domain = domain
        node.input = inputs
        node.output = [output ?? self.name(base)]
        node.name = self.name("\(base)/\(type)")
        node.attribute = attributes
        graph.node.append(node)
        return node.output[0]
    }

    /// Adds one node with several outputs and returns their names: a fresh name from `base` and the
    /// suffix for each wanted output, `""` (ONNX's absent optional output) for each nil.
    mutating func node(_ type: String, _ inputs: [String], name base: String, attributes: [Onnx_AttributeProto] = [],
                       outputs: [String?]) -> [String] {
        var node = Onnx_NodeProto()
        node.opType = type
        node.input = inputs
        node.output = outputs.map { suffix in suffix.map { self.name(base + $0) } ?? "" }
        node.name = self.name("\(base)/\(type)")
        node.attribute = attributes
        graph.node.append(node)
        return node.output
    }

    /// A float32 initializer (stored as raw little-endian bytes).
    mutating func initializer(_ base: String, shape: [Int], values: [Float]) -> String {
        precondition(values.count == shape.reduce(1, *), "internal: \(values.count) values for the shape \(shape)")
        var tensor = Onnx_TensorProto()
        tensor.name = name(base)
        tensor.dataType = ElementType.float.rawValue
        tensor.dims = shape.map(Int64.init)
        tensor.rawData = Self.littleEndian(values)
        graph.initializer.append(tensor)
        return tensor.name
    }

    /// An int64 initializer (shapes, axes, indices).
    mutating func integers(_ base: String, _ values: [Int], shape: [Int]? = nil) -> String {
        let key = "i\(shape ?? [values.count]) \(values)"
        if let name = constants[key] { return name }
        var tensor = Onnx_TensorProto()
        tensor.name = name(base)
        tensor.dataType = ElementType.int64.rawValue
        tensor.dims = (shape ?? [values.count]).map(Int64.init)
        tensor.int64Data = values.map(Int64.init)
        graph.initializer.append(tensor)
        constants[key] = tensor.name
        return tensor.name
    }

    /// A float scalar or vector constant, as an initializer (one for each small shape and values).
    mutating func constant(_ base: String, _ values: [Float], shape: [Int]? = nil) -> String {
        let dims = shape ?? [values.count]
        guard values.count <= 64 else { return initializer(base, shape: dims, values: values) }
        let key = "f\(dims) \(values.map(\.bitPattern))"
        if let name = constants[key] { return name }
        let name = initializer(base, shape: dims, values: values)
        constants[key] = name
        return name
    }

    mutating func input(_ name: String, _ type: ElementType, _ shape: [Dimension]) {
        graph.input.append(Self.valueInfo(name, type, shape))
    }

    mutating func output(_ name: String, _ type: ElementType, _ shape: [Dimension]) {
        graph.output.append(Self.valueInfo(name, type, shape))
    }

    static func valueInfo(_ name: String, _ type: ElementType, _ shape: [Dimension]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = type.rawValue
        var tensorShape = Onnx_TensorShapeProto()
        tensorShape.dim = shape.map { dimension in
            var proto = Onnx_TensorShapeProto.Dimension()
            switch dimension {
            case .batch: proto.dimParam = "batch"
            case .fixed(let size): proto.dimValue = Int64(size)
            }
            return proto
        }
        tensorType.shape = tensorShape
        info.type.tensorType = tensorType
        return info
    }

    private static func littleEndian(_ values: [Float]) -> Data {
        #if _endian(little)
        return values.withUnsafeBytes { Data($0) }
        #else
        var data = Data(capacity: values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
        #endif
    }
}

/// Node attributes, by kind.
enum Attribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .string
        attribute.s = Data(value.utf8)
        return attribute
    }

    static func strings(_ name: String, _ values: [String]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .strings
        attribute.strings = values.map { Data($0.utf8) }
        return attribute
    }
}
