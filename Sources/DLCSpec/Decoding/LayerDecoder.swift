import DLCDiagnostics

/// One decoded layer item, before the expansion names it and connects it.
struct DecodedLayer {
    /// Named `KIND_INDEX`, without inputs.
    var spec: LayerSpec
    /// The `name:` as written.
    var writtenName: Located<String>?
    /// The names `from:` gives, as written.
    var from: [Located<String>]?
    var fromRange: SourceRange?
}

extension SpecDecoder {
    /// Decodes one list item: a bare `KIND` or a one-key mapping `KIND: {options}`.
    func decodeLayer(_ item: YAMLNode, index: Int) -> DecodedLayer? {
        let errorsBefore = diagnostics.count
        let kindNode: YAMLNode
        let optionsNode: YAMLNode?
        switch item.content {
        case .scalar:
            kindNode = item
            optionsNode = nil
        case .mapping(let pairs):
            guard let first = pairs.first else {
                report(.error("expected-layer", "a layer is `KIND` or `KIND: {options}`, found an empty mapping", at: item.range))
                return nil
            }
            if pairs.count > 1 {
                reportExtraLayerKeys(pairs)
                return nil
            }
            kindNode = first.key
            optionsNode = first.value.scalar?.value == .null ? nil : first.value
        case .sequence:
            report(.error("expected-layer", "a layer is `KIND` or `KIND: {options}`, found a list", at: item.range,
                          help: ["remove the extra `-` or brackets"]))
            return nil
        }
        guard let kindText = kindNode.scalar?.text else { return nil }
        if kindText.hasPrefix("$"), kindNode.scalar?.style == .plain {
            report(.error("unknown-layer", "a layer kind cannot be a `$reference`", at: kindNode.range,
                          help: ["write the kind itself; references work for option values, such as `activation: $activation`"]))
            return nil
        }
        guard let kind = Vocabulary.layer(kindText) else {
            let blocks = ["repeat", "residual"]
            let help = blocks.contains(kindText)
                ? "a `\(kindText)` block is written `\(kindText): \(kindText == "repeat" ? "N" : "{layers: [...]}")` with its layers under `layers:`"
                : Vocabulary.didYouMean(kindText, among: Vocabulary.layers.map(\.name) + blocks)
                  ?? "layer kinds: " + Self.list(Vocabulary.layers.map(\.name))
            report(.error("unknown-layer", "unknown layer kind `\(kindText)`", at: kindNode.range, help: [help]))
            return nil
        }
        let context = "`\(kind.name)`"
        var options = OptionPairs()
        if let optionsNode {
            if let scalar = optionsNode.scalar, let only = kind.options.filter(\.isRequired).first, kind.options.filter(\.isRequired).count == 1 {
                report(.error("expected-mapping", "\(context) takes a mapping of options, found \(optionsNode.kindDescription)", at: optionsNode.range,
                              help: ["write it as `\(kind.name): {\(only.name): \(scalar.text)}`"]))
                return nil
            }
            options = self.options(of: optionsNode, definitions: kind.options, context: context,
                                   missingAt: kindNode.range, extraKeys: Vocabulary.layerExtraKeys)
            guard options.isMapping else { return nil }
        } else if !kind.allowsBareName {
            let required = kind.options.filter(\.isRequired).map(\.name)
            report(.error("missing-key", "\(context) needs \(Self.list(required))", at: kindNode.range,
                          help: ["write it as `\(kind.name): {\(required.map { "\($0): ..." }.joined(separator: ", "))}`"]))
            return nil
        }
        let written = options["name"].flatMap { identifier($0, option: "name") }
        let from = options["from"].flatMap(layerInputs)
        let config = layerConfig(kind.name, options)
        // `init` is an initializer's name (dense, conv2d) or a checkpoint to start from.
        var checkpoint: CheckpointReference?
        let onlyCheckpoints = kind.option("init")?.type.phrase.hasPrefix("a mapping") == true
        if let node = options["init"], node.pairs != nil || onlyCheckpoints {
            checkpoint = checkpointReference(node, onLayer: true, namesInitializers: !onlyCheckpoints)
        }
        let trainable = options["trainable"].flatMap { boolean($0, option: "trainable") }
        guard let config, diagnostics.count == errorsBefore else { return nil }
        var ranges: [String: SourceRange] = [:]
        for (key, pair) in options.pairs { ranges[key] = pair.value.range }
        var spec = LayerSpec(name: "\(kind.name)_\(index)", kind: kind.name, config: config, range: item.range,
                             kindRange: kindNode.range, optionRanges: ranges)
        spec.initialWeights = checkpoint
        spec.isTrainable = trainable?.value ?? true
        return DecodedLayer(spec: spec, writtenName: written, from: from, fromRange: options["from"]?.range)
    }

    /// `from: NAME` or `from: [NAME, ...]`.
    private func layerInputs(_ node: YAMLNode) -> [Located<String>]? {
        guard node.items != nil else { return identifier(node, option: "from").map { [$0] } }
        return list(node, option: "from", type: .list(.identifier, minimumCount: 1), minimumCount: 1) { identifier($0, option: "from") }
    }

    private func reportExtraLayerKeys(_ pairs: [YAMLPair]) {
        let kinds = pairs.compactMap { pair in pair.keyText.flatMap { Vocabulary.layer($0) == nil ? nil : $0 } }
        let first = pairs[0]
        for pair in pairs.dropFirst() {
            let key = pair.keyText ?? "?"
            let help: String
            if kinds.count > 1 {
                help = "start each layer with its own `- `"
            } else if let kind = kinds.first, Vocabulary.layer(kind)?.option(key) != nil || Vocabulary.layerExtraKeys.contains(key) {
                help = "`\(key)` is an option of `\(kind)`: move it inside, as `\(kind): {\(key): ...}`"
            } else {
                help = "a layer is a one-key mapping `KIND: {options}`"
            }
            report(.error("expected-layer", "a layer has one kind, but this item also has `\(key)`", at: pair.key.range,
                          help: [help], notes: [DiagnosticNote("the item starts with `\(first.keyText ?? "?")`", at: first.key.range)]))
        }
    }

    /// Reads a kind's options into its configuration; missing options take their defaults.
    private func layerConfig(_ kind: String, _ options: OptionPairs) -> LayerConfig? {
        func activation() -> Activation {
            options["activation"].flatMap { choice($0, option: "activation", among: Vocabulary.activations, what: "activation") }
                .flatMap { Activation(rawValue: $0.value) } ?? .linear
        }
        func useBias() -> Bool { options["use_bias"].flatMap { boolean($0, option: "use_bias") }?.value ?? true }
        func initializer() -> String? {
            // A mapping is a checkpoint (`decodeLayer` reads it).
            guard let node = options["init"], node.pairs == nil else { return nil }
            return choice(node, option: "init", among: Vocabulary.initializers, what: "initializer")?.value
        }
        func window(defaultSize: Size2D?, defaultStrideIsSize: Bool, sizeKey: String) -> WindowSpec? {
            let size = options[sizeKey].flatMap { size2D($0, option: sizeKey) }?.value ?? defaultSize
            let stride = options["stride"].flatMap { size2D($0, option: "stride") }?.value
            let padding = options["padding"].flatMap { choice($0, option: "padding", among: Vocabulary.paddings, what: "padding") }
                .flatMap { Padding(rawValue: $0.value) } ?? .valid
            guard let size else { return nil }
            return WindowSpec(size: size, stride: stride ?? (defaultStrideIsSize ? size : Size2D(height: 1, width: 1)), padding: padding)
        }
        func window1D(defaultSize: Int?, defaultStrideIsSize: Bool, sizeKey: String) -> WindowSpec? {
            let size = options[sizeKey].flatMap { integer($0, option: sizeKey, type: .positiveInteger) }?.value ?? defaultSize
            let stride = options["stride"].flatMap { integer($0, option: "stride", type: .positiveInteger) }?.value
            let padding = options["padding"].flatMap { choice($0, option: "padding", among: Vocabulary.paddings, what: "padding") }
                .flatMap { Padding(rawValue: $0.value) } ?? .valid
            guard let size else { return nil }
            return WindowSpec(size: Size2D(height: 1, width: size), stride: Size2D(height: 1, width: stride ?? (defaultStrideIsSize ? size : 1)),
                              padding: padding)
        }
        switch kind {
        case "dense":
            let units = options["units"].flatMap { integer($0, option: "units", type: .positiveInteger) }
            let activation = activation(), bias = useBias(), initializer = initializer()
            guard let units else { return nil }
            return .dense(units: units.value, activation: activation, useBias: bias, initializer: initializer)
        case "dropout":
            guard let rate = options["rate"].flatMap({ number($0, option: "rate", type: .unitIntervalOpenTop) }) else { return nil }
            return .dropout(rate: rate.value)
        case "leaky_relu":
            let slope = options["negative_slope"].flatMap { number($0, option: "negative_slope", type: .nonNegativeNumber) }
            return .activation(.leakyReLU, parameter: slope?.value ?? 0.01)
        case "elu":
            let alpha = options["alpha"].flatMap { number($0, option: "alpha", type: .positiveNumber) }
            return .activation(.elu, parameter: alpha?.value ?? 1.0)
        case "relu", "sigmoid", "tanh", "softmax", "gelu", "silu":
            return Activation(rawValue: kind).map { .activation($0, parameter: nil) }
        case "flatten":
            return .flatten
        case "conv2d":
            let filters = options["filters"].flatMap { integer($0, option: "filters", type: .positiveInteger) }
            let window = window(defaultSize: nil, defaultStrideIsSize: false, sizeKey: "kernel")
            let activation = activation(), bias = useBias(), initializer = initializer()
            guard let filters, let window else { return nil }
            return .conv2d(filters: filters.value, window: window, activation: activation, useBias: bias, initializer: initializer)
        case "maxpool2d", "avgpool2d":
            guard let window = window(defaultSize: Size2D(height: 2, width: 2), defaultStrideIsSize: true, sizeKey: "size") else { return nil }
            return kind == "maxpool2d" ? .maxPool2D(window) : .avgPool2D(window)
        case "batchnorm":
            let momentum = options["momentum"].flatMap { number($0, option: "momentum", type: .openUnitInterval) }
            let epsilon = options["epsilon"].flatMap { number($0, option: "epsilon", type: .positiveNumber) }
            let synchronized = options["sync"].flatMap { boolean($0, option: "sync") }?.value
            return .batchNorm(momentum: momentum?.value ?? 0.1, epsilon: epsilon?.value ?? 1e-5, synchronized: synchronized ?? false)
        case "reshape":
            guard let node = options["shape"] else { return nil }
            return decodeReshape(node).map { .reshape(shape: $0) }
        case "add":
            return .add
        case "multiply":
            return .multiply
        case "concat":
            let axis = options["axis"].flatMap { integer($0, option: "axis", type: .integer(minimum: -64, maximum: 64)) }
            if options["axis"] != nil, axis == nil { return nil }
            return .concat(axis: axis?.value ?? -1)
        case "global_avgpool":
            return .globalAvgPool
        case "global_maxpool":
            return .globalMaxPool
        case "embedding":
            let dimension = options["dim"].flatMap { integer($0, option: "dim", type: .positiveInteger) }
            let vocabulary = options["vocabulary"].flatMap { integer($0, option: "vocabulary", type: .integer(minimum: 2, maximum: 1 << 24)) }
            guard let dimension, options["vocabulary"] == nil || vocabulary != nil else { return nil }
            return .embedding(dimension: dimension.value, vocabulary: vocabulary?.value)
        case "conv1d":
            let filters = options["filters"].flatMap { integer($0, option: "filters", type: .positiveInteger) }
            let window = window1D(defaultSize: nil, defaultStrideIsSize: false, sizeKey: "kernel")
            let activation = activation(), bias = useBias(), initializer = initializer()
            guard let filters, let window else { return nil }
            return .conv1d(filters: filters.value, window: window, activation: activation, useBias: bias, initializer: initializer)
        case "maxpool1d", "avgpool1d":
            guard let window = window1D(defaultSize: 2, defaultStrideIsSize: true, sizeKey: "size") else { return nil }
            return kind == "maxpool1d" ? .maxPool1D(window) : .avgPool1D(window)
        case "lstm", "gru":
            let units = options["units"].flatMap { integer($0, option: "units", type: .positiveInteger) }
            let sequences = options["return_sequences"].flatMap { boolean($0, option: "return_sequences") }?.value ?? false
            let bidirectional = options["bidirectional"].flatMap { boolean($0, option: "bidirectional") }?.value ?? false
            guard let units else { return nil }
            return .recurrent(RecurrentLayer(cell: kind == "lstm" ? .lstm : .gru, units: units.value, returnsSequences: sequences,
                                             bidirectional: bidirectional))
        case "attention":
            let heads = options["heads"].flatMap { integer($0, option: "heads", type: .positiveInteger) }
            let causal = options["causal"].flatMap { boolean($0, option: "causal") }?.value ?? false
            guard let heads else { return nil }
            return .attention(heads: heads.value, causal: causal)
        case "positional_embedding":
            return .positionalEmbedding
        case "layernorm":
            let epsilon = options["epsilon"].flatMap { number($0, option: "epsilon", type: .positiveNumber) }
            return .layerNorm(epsilon: epsilon?.value ?? 1e-5)
        default:
            preconditionFailure("internal: layer kind `\(kind)` is in the vocabulary but has no decoder")
        }
    }

    private func decodeReshape(_ node: YAMLNode) -> [Int]? {
        let type = OptionType.list(.integer(minimum: -1, maximum: 1 << 31), minimumCount: 1)
        guard let dims = list(node, option: "shape", type: type, minimumCount: 1, item: {
            integer($0, option: "shape", type: .integer(minimum: -1, maximum: 1 << 31))
        }) else { return nil }
        for dim in dims where dim.value == 0 {
            report(.error("out-of-range", "`shape` entries must be positive (or -1 once), found `0`", at: dim.range))
            return nil
        }
        let inferred = dims.filter { $0.value == -1 }
        if inferred.count > 1 {
            report(.error("out-of-range", "`shape` may have one `-1`, found \(inferred.count)", at: inferred[1].range,
                          help: ["give every dimension but one"]))
            return nil
        }
        return dims.map(\.value)
    }
}
