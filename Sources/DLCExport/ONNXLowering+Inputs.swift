import DLCData
import DLCGraph

/// The model's inputs (the column encoders and the normalization, in ONNX ops) and outputs.
extension ONNXLowering {
    /// The names the model's inputs and outputs take, kept from other values.
    var reservedNames: [String] {
        var names = ["features", "probabilities", "label", "values"]
        if let encoding = model.encoding, !Self.takesOneInput(encoding) { names += encoding.columns.map(\.name) }
        return names
    }

    /// Whether the model takes one `features` tensor: no encoding, or only number columns
    /// without missing-value indicators (fills are applied to NaN inside the graph).
    static func takesOneInput(_ encoding: FeatureEncoding) -> Bool {
        if encoding.onlyText != nil { return true }
        return encoding.columns.allSatisfy { if case .number(_, false) = $0.kind { return true } else { return false } }
    }

    /// The cell texts a category column reads as missing: the empty cell and `data.missing_values`.
    static func missingMarkers(_ encoding: FeatureEncoding) -> [String] {
        [""] + encoding.missingValues.filter { !$0.isEmpty }
    }

    /// Every spelling of the markers in upper and lower case (the CSV reader ignores case in
    /// them: `NA`, `na`, `Na`, ...), at most 256 per marker.
    static func caseVariants(_ markers: [String]) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        for marker in markers {
            var variants = [""]
            for character in marker {
                let lower = String(character).lowercased(), upper = String(character).uppercased()
                let forms = lower == upper || variants.count >= 256 ? [String(character)] : [lower, upper]
                variants = variants.flatMap { prefix in forms.map { prefix + $0 } }
            }
            for variant in variants where seen.insert(variant).inserted { result.append(variant) }
        }
        return result
    }

    /// Declares the inputs and returns the name of what dlc's `features` op holds: the encoded,
    /// normalized examples, shaped `[batch] + example`.
    mutating func inputs(shape: [Int]) throws(ONNXExportError) -> String {
        let example = Array(shape.dropFirst())
        var encoded: String
        if let encoding = model.encoding, !Self.takesOneInput(encoding) {
            if let text = encoding.texts.first {
                throw .unsupported("the text column `\(text.column)` beside other features")
            }
            encoded = columnInputs(encoding)
        } else if let encoding = model.encoding, let text = Self.textColumn(encoding) {
            builder.input("features", .float, [.batch] + example.map { .fixed($0) })
            inputDescription = Self.describeTokenIDs(text)
            encoded = "features"
        } else {
            builder.input("features", .float, [.batch] + example.map { .fixed($0) })
            inputDescription = "`features`: float32 [batch, \(example.map(String.init).joined(separator: ", "))], "
                + "the raw values of each example as in the data file (normalization is inside the model)"
            encoded = "features"
            if let encoding = model.encoding {
                let fills = encoding.columns.map { column -> Float in
                    if case .number(let fill?, _) = column.kind { return fill }
                    return .nan
                }
                if fills.contains(where: { !$0.isNaN }) {
                    let missing = builder.node("IsNaN", [encoded], name: "missing")
                    let values = builder.constant("fill_values", fills)
                    encoded = builder.node("Where", [missing, values, encoded], name: "filled")
                    inputDescription += "; NaN marks a missing value, filled as in training"
                }
            }
        }
        let normalizer = model.normalizer
        guard normalizer.mode != .none, !normalizer.offsets.isEmpty else { return encoded }
        let width = example.reduce(1, *)
        guard normalizer.offsets.count == width, normalizer.scales.count == width else {
            throw .parameters("the normalization has \(normalizer.offsets.count) offsets for examples of \(width) values")
        }
        let offsets = builder.constant("normalize_offsets", normalizer.offsets, shape: example)
        let scales = builder.constant("normalize_scales", normalizer.scales, shape: example)
        let centered = builder.node("Sub", [encoded, offsets], name: "normalize_centered")
        return builder.node("Mul", [centered, scales], name: "normalized")
    }

    /// The one text column a model reads alone (`FeatureEncoding.onlyText`), with its vocabulary and tokenizer.
    static func textColumn(_ encoding: FeatureEncoding) -> TextInput? {
        guard encoding.onlyText != nil, let column = encoding.columns.first,
              case .text(let vocabulary, let tokenizer, let length) = column.kind else { return nil }
        return TextInput(column: column.name, tokens: tokenizer.tokens.rawValue, lowercase: tokenizer.lowercase, length: length,
                         vocabulary: vocabulary, missingValues: missingMarkers(encoding))
    }

    /// What a text model's `features` are, and how a client makes them (`dlc.inputs`).
    static func describeTokenIDs(_ text: TextInput) -> String {
        let tokens = text.tokens == TextTokenizer.Tokens.characters.rawValue
            ? "one token per Unicode scalar"
            : "one token per run of Unicode scalars that are neither whitespace nor punctuation (general categories P*), the separators dropped"
        return "`features`: float32 [batch, \(text.length)], the token ids of the text column `\(text.column)`, not its text: "
            + "the cell without surrounding spaces, "
            + (text.lowercase ? "lowercased one Unicode scalar at a time (full mappings, no context), " : "not lowercased, ")
            + "in Unicode normalization form C, \(tokens); the first \(text.length) tokens, each as its id "
            + "(\(TextTokenizer.firstTokenID) + its index in the vocabulary, \(TextTokenizer.unknownID) for a token not in it), "
            + "then \(TextTokenizer.paddingID)s to \(text.length) ids; a missing cell (empty, or a spelling in `missing_values` ignoring "
            + "ASCII case) is all \(TextTokenizer.paddingID)s. The vocabulary and these rules are in the metadata `dlc.text` (JSON)"
    }

    /// One `[batch, 1]` input per column, encoded as `FeatureEncoding.encode` does: numbers with
    /// their fill and indicator, categories one-hot (unseen: zeros) or as embedding ids (unseen: 0),
    /// dense parts first, then ids; returns the `[batch, dataWidth]` float tensor.
    private mutating func columnInputs(_ encoding: FeatureEncoding) -> String {
        var dense: [String] = [], ids: [String] = []
        var described: [String] = []
        let markers = Self.caseVariants(Self.missingMarkers(encoding))
        for column in encoding.columns {
            let name = column.name
            switch column.kind {
            case .number(let fill, let indicator):
                builder.input(name, .float, [.batch, .fixed(1)])
                described.append("`\(name)` float32")
                let missing = builder.node("IsNaN", [name], name: "\(name)_missing")
                if let fill {
                    let value = builder.constant("\(name)_fill", [fill], shape: [1])
                    dense.append(builder.node("Where", [missing, value, name], name: "\(name)_filled"))
                } else {
                    dense.append(name)
                }
                if indicator {
                    dense.append(builder.node("Cast", [missing], name: "\(name)_indicator", attributes: [Attribute.int("to", 1)]))
                }
            case .oneHot(let values, let hasMissing):
                builder.input(name, .string, [.batch, .fixed(1)])
                described.append("`\(name)` string")
                // Slot per text: the values in order, then the missing slot; -1 (all zeros) for anything else.
                let missingSlot = hasMissing ? values.count : -1
                let slots = categoryCodes(name, values: values, markers: markers, codes: Array(0..<values.count),
                                          missing: missingSlot, unseen: -1)
                let width = values.count + (hasMissing ? 1 : 0)
                let range = builder.integers("\(name)_slots", Array(0..<width), shape: [1, width])
                let hot = builder.node("Equal", [slots, range], name: "\(name)_hot")
                dense.append(builder.node("Cast", [hot], name: "\(name)_one_hot", attributes: [Attribute.int("to", 1)]))
            case .embedding(let values, let hasMissing, _):
                builder.input(name, .string, [.batch, .fixed(1)])
                described.append("`\(name)` string")
                // Row per text: 0 unseen, 1... the values, then the missing row.
                let rows = categoryCodes(name, values: values, markers: markers, codes: values.indices.map { $0 + 1 },
                                         missing: hasMissing ? values.count + 1 : 0, unseen: 0)
                ids.append(builder.node("Cast", [rows], name: "\(name)_id", attributes: [Attribute.int("to", 1)]))
            case .text:
                preconditionFailure("internal: `inputs(shape:)` exports a text column only as the token ids alone")
            }
        }
        inputDescription = "one [batch, 1] input per column: " + described.joined(separator: ", ")
            + "; a float NaN, or a category text in `dlc.missing_values` (any case), is missing; pass category texts without surrounding spaces, as the CSV reader trims them"
        let parts = dense + ids
        if parts.count == 1 { return parts[0] }
        return builder.node("Concat", parts, name: "encoded", attributes: [Attribute.int("axis", 1)])
    }

    /// `ai.onnx.ml.LabelEncoder`: each category text to its code (`int64`, `[batch, 1]`).
    private mutating func categoryCodes(_ name: String, values: [String], markers: [String], codes: [Int],
                                        missing: Int, unseen: Int) -> String {
        var keys = values, mapped = codes
        for marker in markers where !values.contains(marker) {
            keys.append(marker)
            mapped.append(missing)
        }
        return builder.node("LabelEncoder", [name], name: "\(name)_code", domain: "ai.onnx.ml",
                            attributes: [Attribute.strings("keys_strings", keys), Attribute.ints("values_int64s", mapped),
                                         Attribute.int("default_int64", unseen)])
    }

    /// `probabilities` and `label` for a classifier (softmax or sigmoid of logits applied, a single
    /// sigmoid output as two columns), `values` for a regression.
    mutating func addOutputs() throws(ONNXExportError) {
        guard let prediction = graph.prediction else { throw .notInference("no prediction") }
        let shape = graph.shape(of: prediction)
        let output = nhwc(prediction)
        let width = shape.last ?? 1
        guard !model.classes.isEmpty else {
            builder.node("Identity", [output], name: "values", output: "values")
            builder.output("values", .float, [.batch] + shape.dropFirst().map { .fixed($0) })
            return
        }
        let classes = width == 1 ? 2 : width
        if width == 1 {
            let p = graph.predictionIsLogits ? builder.node("Sigmoid", [output], name: "positive") : output
            let one = builder.constant("one", [1], shape: [1])
            let q = builder.node("Sub", [one, p], name: "negative")
            builder.node("Concat", [q, p], name: "probabilities", attributes: [Attribute.int("axis", 1)], output: "probabilities")
        } else if graph.predictionIsLogits {
            builder.node("Softmax", [output], name: "probabilities", attributes: [Attribute.int("axis", -1)], output: "probabilities")
        } else {
            builder.node("Identity", [output], name: "probabilities", output: "probabilities")
        }
        let best = builder.node("ArgMax", ["probabilities"], name: "best",
                                attributes: [Attribute.int("axis", 1), Attribute.int("keepdims", 0)])
        let names = (0..<classes).map { $0 < model.classes.count ? model.classes[$0] : "class_\($0)" }
        builder.node("LabelEncoder", [best], name: "label", domain: "ai.onnx.ml",
                     attributes: [Attribute.ints("keys_int64s", Array(0..<classes)), Attribute.strings("values_strings", names),
                                  Attribute.string("default_string", "")], output: "label")
        builder.output("probabilities", .float, [.batch, .fixed(classes)])
        builder.output("label", .string, [.batch])
    }
}

/// A text model's tokenizer and vocabulary, as the metadata `dlc.text` holds them for clients.
struct TextInput: Encodable {
    var column: String
    /// `characters` or `words` (`TextTokenizer.Tokens`).
    var tokens: String
    var lowercase: Bool
    var length: Int
    /// Id `first_token_id + i` is `vocabulary[i]`.
    var vocabulary: [String]
    /// The cells read as missing (all padding): `""` and `data.missing_values`, compared ignoring ASCII case.
    var missingValues: [String]
    var normalization = "NFC"
    var paddingID = TextTokenizer.paddingID
    var unknownID = TextTokenizer.unknownID
    var firstTokenID = TextTokenizer.firstTokenID

    enum CodingKeys: String, CodingKey {
        case column, tokens, lowercase, length, vocabulary, normalization
        case missingValues = "missing_values"
        case paddingID = "padding_id", unknownID = "unknown_id", firstTokenID = "first_token_id"
    }
}
