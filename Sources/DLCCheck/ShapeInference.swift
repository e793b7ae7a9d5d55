import DLCData
import DLCDiagnostics
import DLCSpec

/// Infers each layer's output shape and parameter count from the input shape.
///
/// Stops at the first layer whose input it cannot take, so one wrong shape is one error.
struct ShapeInference {
    var diagnostics: [Diagnostic] = []
    /// The text column whose token ids the model's input is, when it is one.
    var tokens: FeatureEncoding.Text?
    /// The model's inputs by name, when it has several (a text column beside other features).
    var namedInputs: [String: [Int]] = [:]
    /// The text columns by name.
    var texts: [String: FeatureEncoding.Text] = [:]
    /// Whether the data was read (without it, an embedding's vocabulary may stay unknown).
    var readData = false

    /// The checked layers, or `nil` when a layer's rule failed (the reason is in `diagnostics`).
    /// A residual block whose layers change the shape gains its projection, a layer of its own
    /// before the block's `add`.
    mutating func infer(input: [Int], layers: [LayerSpec]) -> [CheckedLayer]? {
        var checked: [CheckedLayer] = []
        var values: [String: LayerInput] = ["input": .input]
        for name in namedInputs.keys { values[name] = .named(name) }
        func shape(_ value: LayerInput) -> [Int] {
            switch value {
            case .input: return input
            case .layer(let index): return checked[index].outputShape
            case .named(let name): return namedInputs[name] ?? input
            }
        }
        for layer in layers {
            guard checkInputNames(layer, known: values) else { return nil }
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
                let previous: String
                switch inputs[0] {
                case .input: previous = "the model's input is"
                case .named(let name): previous = "the model's input `\(name)` is"
                case .layer: previous = "`\(layer.inputs[0])` outputs"
                }
                let readsTokens = textColumn(read: inputs[0])
                if let tokens = readsTokens {
                    guard case .embedding = layer.config else {
                        fail("the model's input is the token ids of the text column `\(tokens.column)` \(ShapeArithmetic.format([tokens.length])), which `\(layer.kind)` cannot read as numbers", layer,
                             help: "start the model with `- embedding: {dim: 32}`, which turns each id into a learned vector")
                        return nil
                    }
                }
                guard let result = rule(layer, input: shapes[0], previous: previous, tokens: readsTokens) else { return nil }
                output = result
            }
            guard ShapeArithmetic.elementCount(output.0) != nil else {
                diagnostics.append(.error("shape-too-large", "`\(layer.name)` outputs \(ShapeArithmetic.format(output.0)), which is too large to allocate",
                                          at: layer.kindRange))
                return nil
            }
            var resolved = layer
            // An embedding's vocabulary, when the data gives it, is written into the layer for the stages after.
            if case .embedding(let dimension, nil) = layer.config, !layer.inputs.isEmpty, let rows = textColumn(read: inputs[0])?.vocabularySize {
                resolved.config = .embedding(dimension: dimension, vocabulary: rows)
            }
            checked.append(CheckedLayer(name: layer.name, kind: layer.kind, inputs: inputs, outputShape: output.0,
                                        parameterCount: output.1, stateCount: output.2, spec: resolved))
            values[layer.name] = .layer(checked.count - 1)
        }
        return checked
    }

    /// The text column whose token ids `value` is, if it is one.
    private func textColumn(read value: LayerInput) -> FeatureEncoding.Text? {
        switch value {
        case .input: return tokens
        case .named(let name): return texts[name]
        case .layer: return nil
        }
    }

    /// With several inputs, every layer reading the model's input names one; a name the data does
    /// not give (`features` without other columns) is an error. False after reporting.
    private mutating func checkInputNames(_ layer: LayerSpec, known: [String: LayerInput]) -> Bool {
        let listed = namedInputs.keys.sorted().map { name in "`\(name)` \(ShapeArithmetic.format(namedInputs[name] ?? []))" }
        for (index, name) in layer.inputs.enumerated() {
            let range = index < layer.inputRanges.count ? layer.inputRanges[index] : layer.kindRange
            if name == "input", !namedInputs.isEmpty {
                // An embedding reads a text column's ids; other layers, most likely the features.
                let isEmbedding: Bool
                if case .embedding = layer.config { isEmbedding = true } else { isEmbedding = false }
                let example = (isEmbedding ? texts.keys.sorted().first : nil) ?? (namedInputs["features"] != nil ? "features" : namedInputs.keys.sorted().first ?? "features")
                diagnostics.append(.error("several-inputs", "`\(layer.name)` reads `input`, but the model has several inputs: \(listed.joined(separator: ", "))",
                                          at: range, help: ["name the one it reads with `from:`, e.g. `from: \(example)`"]))
                return false
            }
            if known[name] == nil {
                let help = namedInputs.isEmpty ? "the data gives one input, `input`" : "the model's inputs are " + listed.joined(separator: ", ")
                diagnostics.append(.error("unknown-input", "`\(layer.name)` reads `\(name)`, which the data does not give", at: range, help: [help]))
                return false
            }
        }
        return true
    }

    /// The output shape, trainable parameters and saved state of one layer.
    private mutating func rule(_ layer: LayerSpec, input: [Int], previous: String, tokens: FeatureEncoding.Text?) -> ([Int], Int, Int)? {
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
        case .embedding(let dimension, let vocabulary):
            guard input.count == 1 else {
                fail("`embedding` reads token ids `[steps]`, but \(previous) \(shapeText)", layer,
                     help: "give it a text column's ids (`data.columns: {COLUMN: {text: {length: N}}}`), or put it first")
                return nil
            }
            guard let rows = vocabulary ?? tokens?.vocabularySize else {
                // Unknown until the data is read (`--no-data`, or a data section with errors of its own).
                guard readData else { return (input + [dimension], 0, 0) }
                fail("`\(layer.name)` needs the number of ids: the data has no text column to give it", layer,
                     help: "declare the column as text in `data.columns`, or give `vocabulary: N`")
                return nil
            }
            guard let parameters = ShapeArithmetic.multiply(rows, dimension) else {
                fail("`\(layer.name)` would have more parameters than can be counted", layer)
                return nil
            }
            return (input + [dimension], parameters, 0)
        case .conv1d(let filters, let window, _, let useBias, _):
            guard let output = stepWindowShape(layer, input: input, window: window, channels: filters, previous: previous) else { return nil }
            guard let weights = ShapeArithmetic.multiply(window.size.width, input[1], filters),
                  let parameters = ShapeArithmetic.add(weights, useBias ? filters : 0) else {
                fail("`\(layer.name)` would have more parameters than can be counted", layer)
                return nil
            }
            return (output, parameters, 0)
        case .maxPool1D(let window), .avgPool1D(let window):
            guard let output = stepWindowShape(layer, input: input, window: window, channels: nil, previous: previous) else { return nil }
            return (output, 0, 0)
        case .recurrent(let recurrent):
            guard input.count == 2 else {
                fail("`\(layer.kind)` needs a sequence `[steps, features]`, but \(previous) \(shapeText)", layer, help: sequenceHelp(input))
                return nil
            }
            let width = (recurrent.cell == .lstm ? 4 : 3) * recurrent.units
            guard let perDirection = ShapeArithmetic.multiply(input[1] + recurrent.units + 2, width),
                  let parameters = ShapeArithmetic.multiply(perDirection, recurrent.bidirectional ? 2 : 1) else {
                fail("`\(layer.name)` would have more parameters than can be counted", layer)
                return nil
            }
            let output = recurrent.returnsSequences ? [input[0], recurrent.outputWidth] : [recurrent.outputWidth]
            return (output, parameters, 0)
        case .attention(let heads, _):
            guard input.count == 2 else {
                fail("`attention` needs a sequence `[steps, dim]`, but \(previous) \(shapeText)", layer, help: sequenceHelp(input))
                return nil
            }
            let dimension = input[1]
            guard dimension % heads == 0 else {
                let divisors = (1...min(dimension, 64)).filter { dimension % $0 == 0 }
                let nearest = divisors.min { abs($0 - heads) < abs($1 - heads) } ?? 1
                diagnostics.append(.error("heads-mismatch", "`\(layer.name)` splits its \(dimension) features into \(heads) heads, but \(dimension) is not a multiple of \(heads)",
                                          at: layer.optionRanges["heads"] ?? layer.kindRange,
                                          help: ["use `heads: \(nearest)`, or make the layer before it output a multiple of \(heads) features (\(previous) \(shapeText))"]))
                return nil
            }
            guard let parameters = ShapeArithmetic.multiply(dimension, 4 * dimension + 4) else {
                fail("`\(layer.name)` would have more parameters than can be counted", layer)
                return nil
            }
            return (input, parameters, 0)
        case .positionalEmbedding:
            guard input.count == 2 else {
                fail("`positional_embedding` adds a vector per step to a sequence `[steps, dim]`, but \(previous) \(shapeText)", layer,
                     help: sequenceHelp(input))
                return nil
            }
            guard let parameters = ShapeArithmetic.elementCount(input) else { return nil }
            return (input, parameters, 0)
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

    /// The output of a conv1d or 1-D pooling window over `[steps, channels]`.
    private mutating func stepWindowShape(_ layer: LayerSpec, input: [Int], window: WindowSpec, channels: Int?, previous: String) -> [Int]? {
        guard input.count == 2 else {
            fail("`\(layer.kind)` needs a sequence `[steps, channels]`, but \(previous) \(ShapeArithmetic.format(input))", layer,
                 help: sequenceHelp(input))
            return nil
        }
        let sizeKey = layer.kind == "conv1d" ? "kernel" : "size"
        guard let steps = ShapeArithmetic.windowOutput(length: input[0], window: window.size.width, stride: window.stride.width,
                                                      padded: window.padding == .same) else {
            diagnostics.append(.error("window-too-large",
                                      "`\(layer.name)`'s \(sizeKey) \(window.size.width) is longer than its input's \(input[0]) steps (input \(ShapeArithmetic.format(input)))",
                                      at: layer.optionRanges[sizeKey] ?? layer.kindRange,
                                      help: ["use `padding: same`, a smaller `\(sizeKey)`, or fewer pooling layers before it"]))
            return nil
        }
        return [steps, channels ?? input[1]]
    }

    /// How to make a sequence of `input`.
    private func sequenceHelp(_ input: [Int]) -> String {
        switch input.count {
        case 1: return "token ids need an `embedding` first; numbers need `- reshape: {shape: [\(input[0]), 1]}` (steps of one feature)"
        case 3: return "images are `[height, width, channels]`: use `conv2d`, or `- reshape: {shape: [\(input[0]), \(input[1] * input[2])]}` to read rows as steps"
        default: return "sequence layers read `[steps, features]`"
        }
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
