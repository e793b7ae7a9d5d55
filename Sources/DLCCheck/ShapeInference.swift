import DLCDiagnostics
import DLCSpec

/// Infers each layer's output shape and parameter count from the input shape.
///
/// Stops at the first layer whose input it cannot take, so one wrong shape is one error.
struct ShapeInference {
    var diagnostics: [Diagnostic] = []

    /// The checked layers, or `nil` when a layer's rule failed (the reason is in `diagnostics`).
    /// A residual block whose layers change the shape gains its projection, a layer of its own
    /// before the block's `add`.
    mutating func infer(input: [Int], layers: [LayerSpec]) -> [CheckedLayer]? {
        var checked: [CheckedLayer] = []
        var values: [String: LayerInput] = ["input": .input]
        func shape(_ value: LayerInput) -> [Int] {
            switch value {
            case .input: return input
            case .layer(let index): return checked[index].outputShape
            }
        }
        for layer in layers {
            var inputs = layer.inputs.map { name -> LayerInput in
                guard let value = values[name] else { preconditionFailure("internal: `\(layer.name)` reads `\(name)`, which is not above it") }
                return value
            }
            var shapes = inputs.map(shape)
            let output: ([Int], Int, Int)
            if layer.config.isMerge {
                if layer.residual?.projection == .auto, shapes[0] != shapes[1] {
                    guard let projection = projection(for: layer, input: inputs[1], from: shapes[1], to: shapes[0]) else { return nil }
                    checked.append(projection)
                    inputs[1] = .layer(checked.count - 1)
                    shapes[1] = projection.outputShape
                }
                guard let merged = mergeShape(layer, shapes: shapes, names: layer.inputs) else { return nil }
                output = (merged, 0, 0)
            } else {
                let previous = inputs[0] == .input ? "the model's input is" : "`\(layer.inputs[0])` outputs"
                guard let result = rule(layer, input: shapes[0], previous: previous) else { return nil }
                output = result
            }
            guard ShapeArithmetic.elementCount(output.0) != nil else {
                diagnostics.append(.error("shape-too-large", "`\(layer.name)` outputs \(ShapeArithmetic.format(output.0)), which is too large to allocate",
                                          at: layer.kindRange))
                return nil
            }
            checked.append(CheckedLayer(name: layer.name, kind: layer.kind, inputs: inputs, outputShape: output.0,
                                        parameterCount: output.1, stateCount: output.2, spec: layer))
            values[layer.name] = .layer(checked.count - 1)
        }
        return checked
    }

    /// The output shape, trainable parameters and saved state of one layer.
    private mutating func rule(_ layer: LayerSpec, input: [Int], previous: String) -> ([Int], Int, Int)? {
        let shapeText = ShapeArithmetic.format(input)
        switch layer.config {
        case .dense(let units, _, let useBias, _):
            guard input.count == 1 else {
                fail("`dense` needs a flat input, but \(previous) \(shapeText)", layer,
                     help: "insert `- flatten` before `\(layer.name)`")
                return nil
            }
            guard let weights = ShapeArithmetic.multiply(input[0], units),
                  let parameters = ShapeArithmetic.add(weights, useBias ? units : 0) else {
                fail("`\(layer.name)` would have more parameters than can be counted", layer)
                return nil
            }
            return ([units], parameters, 0)
        case .dropout, .activation:
            if case .activation(.softmax, _) = layer.config, input.last == 1 {
                fail("softmax over one value always outputs 1", layer,
                     help: "for one output use `sigmoid`; for classes, give the layer before one unit per class")
                return nil
            }
            return (input, 0, 0)
        case .flatten:
            guard let count = ShapeArithmetic.elementCount(input) else {
                fail("`\(layer.name)` would output more than 2^40 values per example", layer)
                return nil
            }
            return ([count], 0, 0)
        case .conv2d(let filters, let window, _, let useBias, _):
            guard let output = windowShape(layer, input: input, window: window, channels: filters, previous: previous) else { return nil }
            guard let weights = ShapeArithmetic.multiply(window.size.height, window.size.width, input[2], filters),
                  let parameters = ShapeArithmetic.add(weights, useBias ? filters : 0) else {
                fail("`\(layer.name)` would have more parameters than can be counted", layer)
                return nil
            }
            return (output, parameters, 0)
        case .maxPool2D(let window), .avgPool2D(let window):
            guard let output = windowShape(layer, input: input, window: window, channels: nil, previous: previous) else { return nil }
            return (output, 0, 0)
        case .batchNorm:
            guard let channels = input.last else { return nil }
            return (input, 2 * channels, 2 * channels)
        case .reshape(let shape):
            return reshape(layer, input: input, to: shape, previous: previous).map { ($0, 0, 0) }
        case .globalAvgPool, .globalMaxPool:
            guard input.count >= 2, let channels = input.last else {
                fail("`\(layer.kind)` pools over every axis but the last, but \(previous) \(ShapeArithmetic.format(input)), which has no other axis", layer,
                     help: "it takes images `[height, width, channels]` or sequences `[steps, channels]`; a flat input needs no pooling")
                return nil
            }
            return ([channels], 0, 0)
        case .layerNorm:
            guard let features = input.last, features > 1 else {
                fail("`layernorm` over one value always outputs its offset", layer,
                     help: "it normalizes the last axis; \(previous) \(ShapeArithmetic.format(input))")
                return nil
            }
            return (input, 2 * features, 0)
        case .add, .multiply, .concat:
            preconditionFailure("internal: merge `\(layer.name)` reached the one-input rules")
        }
    }

    /// The output of a conv2d or pooling window over `[height, width, channels]`.
    private mutating func windowShape(_ layer: LayerSpec, input: [Int], window: WindowSpec, channels: Int?, previous: String) -> [Int]? {
        guard input.count == 3 else {
            let help: String
            switch input.count {
            case 1: help = "give `model.input` as `[height, width, channels]`, or add `- reshape: {shape: [height, width, channels]}`"
            case 2: help = "add a channel axis: `[\(input[0]), \(input[1]), 1]`"
            default: help = "`\(layer.kind)` works on images shaped `[height, width, channels]`"
            }
            fail("`\(layer.kind)` needs a `[height, width, channels]` input, but \(previous) \(ShapeArithmetic.format(input))", layer, help: help)
            return nil
        }
        let padded = window.padding == .same
        let sizeKey = layer.kind == "conv2d" ? "kernel" : "size"
        let dims = [(input[0], window.size.height, window.stride.height, "height"), (input[1], window.size.width, window.stride.width, "width")]
        var output: [Int] = []
        for (length, size, stride, axis) in dims {
            guard let out = ShapeArithmetic.windowOutput(length: length, window: size, stride: stride, padded: padded) else {
                let range = layer.optionRanges[sizeKey] ?? layer.kindRange
                diagnostics.append(.error("window-too-large",
                                          "`\(layer.name)`'s \(sizeKey) \(window.size) is larger than its input's \(axis) \(length) (input \(ShapeArithmetic.format(input)))",
                                          at: range, help: ["use `padding: same`, a smaller `\(sizeKey)`, or fewer pooling layers before it"]))
                return nil
            }
            output.append(out)
        }
        return output + [channels ?? input[2]]
    }

    private mutating func reshape(_ layer: LayerSpec, input: [Int], to shape: [Int], previous: String) -> [Int]? {
        let range = layer.optionRanges["shape"] ?? layer.kindRange
        guard let count = ShapeArithmetic.elementCount(input) else {
            fail("`\(layer.name)` would hold more than 2^40 values per example", layer)
            return nil
        }
        let known = shape.filter { $0 != -1 }
        guard let knownCount = ShapeArithmetic.elementCount(known) else {
            diagnostics.append(.error("shape-too-large", "the `shape` of `\(layer.name)` is too large", at: range))
            return nil
        }
        var output = shape
        if let inferred = shape.firstIndex(of: -1) {
            guard knownCount > 0, count % knownCount == 0 else {
                diagnostics.append(.error("reshape-mismatch",
                                          "`\(layer.name)` cannot reshape \(count) values into \(ShapeArithmetic.format(shape)): \(count) is not a multiple of \(knownCount)",
                                          at: range, help: ["\(previous) \(ShapeArithmetic.format(input))"]))
                return nil
            }
            output[inferred] = count / knownCount
        } else if knownCount != count {
            diagnostics.append(.error("reshape-mismatch",
                                      "`\(layer.name)` reshapes \(ShapeArithmetic.format(input)) (\(count) values) into \(ShapeArithmetic.format(shape)) (\(knownCount) values)",
                                      at: range, help: ["the element counts must match; use `-1` for the dimension to infer"]))
            return nil
        }
        return output
    }

    mutating func fail(_ message: String, _ layer: LayerSpec, help: String? = nil) {
        diagnostics.append(Diagnostic.error("shape-mismatch", message, at: layer.kindRange).helping(help))
    }
}
