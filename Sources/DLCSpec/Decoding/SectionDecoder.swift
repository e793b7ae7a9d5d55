import DLCDiagnostics

extension SpecDecoder {
    /// A bare name or a one-key mapping `NAME: {options}`, from a list of kinds.
    func kindWithOptions(_ node: YAMLNode, section: String, kinds: [KindDefinition]) -> (KindDefinition, OptionPairs, SourceRange)? {
        let names = kinds.map(\.name)
        let nameNode: YAMLNode
        var optionsNode: YAMLNode?
        switch node.content {
        case .scalar:
            nameNode = node
        case .mapping(let pairs):
            guard pairs.count == 1, let pair = pairs.first else {
                report(.error("expected-kind", "`\(section)` takes one name, or a one-key mapping `NAME: {options}`; found \(pairs.count) keys",
                              at: pairs.count > 1 ? pairs[1].key.range : node.range,
                              help: ["for example `\(section): \(names[0])`"]))
                return nil
            }
            nameNode = pair.key
            if pair.value.scalar?.value != .null { optionsNode = pair.value }
        case .sequence:
            report(.error("expected-kind", "`\(section)` takes one name, or a one-key mapping `NAME: {options}`; found a list",
                          at: node.range, help: ["for example `\(section): \(names[0])`"]))
            return nil
        }
        guard let name = choice(nameNode, option: section, among: names, what: section) else { return nil }
        guard let kind = kinds.first(where: { $0.name == name.value }) else { return nil }
        var options = OptionPairs()
        if let optionsNode {
            options = self.options(of: optionsNode, definitions: kind.options, context: "`\(kind.name)`", missingAt: nameNode.range)
            guard options.isMapping else { return nil }
        } else if !kind.allowsBareName {
            let required = kind.options.filter(\.isRequired).map(\.name)
            report(.error("missing-key", "`\(kind.name)` needs \(Self.list(required))", at: nameNode.range,
                          help: ["write it as `\(kind.name): {\(required.map { "\($0): ..." }.joined(separator: ", "))}`"]))
            return nil
        }
        return (kind, options, name.range)
    }

    func decodeLoss(_ node: YAMLNode) -> Located<LossSpec>? {
        guard let (kind, options, range) = kindWithOptions(node, section: "loss", kinds: Vocabulary.losses) else { return nil }
        switch kind.name {
        case "mse": return Located(.mse, at: range)
        case "mae": return Located(.mae, at: range)
        case "binary_cross_entropy":
            guard let balanced = classWeights(options) else { return nil }
            return Located(.binaryCrossEntropy(balanced: balanced), at: range)
        case "cross_entropy":
            let smoothing = options["label_smoothing"].flatMap { number($0, option: "label_smoothing", type: .unitIntervalOpenTop) }
            if options["label_smoothing"] != nil, smoothing == nil { return nil }
            guard let balanced = classWeights(options) else { return nil }
            if balanced, let smoothing, smoothing.value > 0 {
                report(.error("unsupported-combination", "`class_weights: balanced` cannot be combined with `label_smoothing`", at: smoothing.range,
                              help: ["remove one of the two"]))
                return nil
            }
            return Located(.crossEntropy(labelSmoothing: smoothing?.value ?? 0, balanced: balanced), at: range)
        default:
            preconditionFailure("internal: loss `\(kind.name)` has no decoder")
        }
    }

    /// `class_weights`: true for `balanced`, false for `none` or absent, nil after an error.
    private func classWeights(_ options: OptionPairs) -> Bool? {
        guard let node = options["class_weights"] else { return false }
        return choice(node, option: "class_weights", among: ["none", "balanced"]).map { $0.value == "balanced" }
    }

    func decodeOptimizer(_ node: YAMLNode) -> Located<OptimizerSpec>? {
        guard let (kind, options, range) = kindWithOptions(node, section: "optimizer", kinds: Vocabulary.optimizers),
              let optimizerKind = OptimizerSpec.Kind(rawValue: kind.name) else { return nil }
        let errorsBefore = diagnostics.count
        func value(_ key: String) -> Double? {
            guard let definition = kind.option(key), let node = options[key] else { return nil }
            return number(node, option: key, type: definition.type)?.value
        }
        func flag(_ key: String) -> Bool? { options[key].flatMap { boolean($0, option: key)?.value } }
        let defaults = optimizerKind == .adam || optimizerKind == .adamw ? 0.001 : 0.01
        var spec = OptimizerSpec(kind: optimizerKind, learningRate: value("learning_rate") ?? defaults)
        spec.momentum = value("momentum") ?? 0
        spec.nesterov = flag("nesterov") ?? false
        spec.beta1 = value("beta1") ?? 0.9
        spec.beta2 = value("beta2") ?? 0.999
        spec.epsilon = value("epsilon") ?? 1e-8
        spec.weightDecay = value("weight_decay") ?? (optimizerKind == .adamw ? 0.01 : 0)
        spec.rho = value("rho") ?? 0.99
        spec.centered = flag("centered") ?? false
        if spec.nesterov, spec.momentum == 0, let nesterovNode = options["nesterov"] {
            report(.error("invalid-combination", "`nesterov: true` needs a `momentum` above 0", at: nesterovNode.range,
                          help: ["add `momentum: 0.9`, or remove `nesterov`"]))
        }
        return diagnostics.count == errorsBefore ? Located(spec, at: range) : nil
    }

    func decodeMetrics(_ node: YAMLNode) -> [Located<Metric>] {
        let type = OptionType.list(.choice(Vocabulary.metrics), minimumCount: 0)
        var seen: [Metric: SourceRange] = [:]
        let metrics = list(node, option: "metrics", type: type, minimumCount: 0) { item -> Located<Metric>? in
            guard let name = choice(item, option: "metrics", among: Vocabulary.metrics, what: "metric"),
                  let metric = Metric(rawValue: name.value) else { return nil }
            if let first = seen[metric] {
                report(.error("duplicate-metric", "metric `\(metric.rawValue)` is listed twice", at: name.range,
                              notes: [DiagnosticNote("first listed here", at: first)]))
                return nil
            }
            seen[metric] = name.range
            return Located(metric, at: name.range)
        }
        return metrics ?? []
    }
}
