import DLCDiagnostics

/// Turns a YAML tree into a `Spec`, reporting every independent problem once.
///
/// The decoder recovers: a bad option is reported and the rest of its section is still read; a
/// section that cannot be used is left `nil` so later stages skip it rather than report it again.
public final class SpecDecoder {
    public private(set) var diagnostics: [Diagnostic] = []
    var hyperparameters: [String: Hyperparameter] = [:]
    var usedHyperparameters: Set<String> = []
    /// Hyperparameters already reported as invalid: their uses stay silent (one error per cause).
    var rejectedHyperparameters: Set<String> = []
    /// Whether the whole `hyperparameters` section was unusable.
    var hyperparametersRejected = false
    /// Set once the layer limit was reported, so the expansion stops everywhere.
    var layerLimitReached = false
    /// `--set` overrides, applied to `hyperparameters` before anything reads them.
    let overrides: [(name: String, text: String)]

    public init(overrides: [(name: String, text: String)] = []) {
        self.overrides = overrides
    }

    /// Decodes a parsed document.
    public func decode(_ root: YAMLNode) -> Spec {
        var spec = Spec()
        guard let pairs = root.pairs else {
            report(.error("top-level-not-mapping", "a spec is a mapping of sections, but this file holds \(root.kindDescription)",
                          at: root.range, help: ["start with `name: my-model` and add `model:`, `loss:` and `optimizer:` sections"]))
            spec.isComplete = false
            return spec
        }
        let sections = options(of: root, pairs: pairs, definitions: Vocabulary.topLevel, context: "the spec", missingAt: nil)
        for (key, pair) in sections.pairs { spec.sectionKeyRanges[key] = pair.key.range }
        // Hyperparameters first: everything else may refer to them.
        if let pair = sections.pairs["hyperparameters"] { readHyperparameters(pair.value) }
        applyOverrides()
        if let node = sections.pairs["name"]?.value { spec.name = identifier(node, option: "name") }
        if let node = sections.pairs["description"]?.value { spec.description = string(node, option: "description")?.value }
        if let pair = sections.pairs["data"] { spec.data = decodeData(pair) }
        if let pair = sections.pairs["model"] { spec.model = decodeModel(pair, inputs: spec.data?.inputNames ?? [], complete: &spec.isComplete) }
        if let node = sections.pairs["loss"]?.value { spec.loss = decodeLoss(node) }
        if let node = sections.pairs["optimizer"]?.value { spec.optimizer = decodeOptimizer(node) }
        if let node = sections.pairs["training"]?.value { spec.training = decodeTraining(node) }
        if let node = sections.pairs["metrics"]?.value { spec.metrics = decodeMetrics(node) }
        if let pair = sections.pairs["sweep"] { spec.sweep = decodeSweep(pair) }
        spec.hyperparameters = hyperparameters.values.sorted { $0.range.start < $1.range.start }
        if diagnostics.containsErrors {
            spec.isComplete = false
        } else {
            warnUnusedHyperparameters()
        }
        return spec
    }

    func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    // MARK: - Mappings and keys

    /// The pairs of a mapping by key, after reporting unknown keys (with did-you-mean) and missing
    /// required ones.
    struct OptionPairs {
        var pairs: [String: YAMLPair] = [:]
        /// False when the node was not a mapping at all.
        var isMapping = true
        subscript(_ name: String) -> YAMLNode? { pairs[name]?.value }
    }

    /// Reads a mapping node's options. `missingAt` is where "missing option" errors point
    /// (`nil`: the file as a whole, for the top level).
    func options(
        of node: YAMLNode, pairs: [YAMLPair]? = nil, definitions: [OptionDefinition], context: String,
        missingAt: SourceRange?, extraKeys: [String] = []
    ) -> OptionPairs {
        guard let pairs = pairs ?? node.pairs else {
            report(.error("expected-mapping", "\(context) takes a mapping of options, found \(node.kindDescription)", at: node.range,
                          help: ["write its options as `key: value` lines, or as `{key: value, ...}`"]))
            return OptionPairs(isMapping: false)
        }
        var result = OptionPairs()
        let names = definitions.map(\.name) + extraKeys
        var suggested: Set<String> = []
        for pair in pairs {
            guard let key = pair.keyText else { continue }  // the parser reported complex keys
            if names.contains(key) {
                result.pairs[key] = pair
            } else {
                let help = Vocabulary.didYouMean(key, among: names)
                if let help, let name = names.first(where: { help == "did you mean `\($0)`?" }) { suggested.insert(name) }
                report(.error("unknown-key", "unknown option `\(key)` for \(context)", at: pair.key.range,
                              help: [help ?? "\(context) takes \(Self.list(names))"]))
            }
        }
        // A misspelt required key is one mistake: the did-you-mean above already names it.
        for definition in definitions where definition.isRequired && result.pairs[definition.name] == nil && !suggested.contains(definition.name) {
            report(.error("missing-key", "\(context) is missing `\(definition.name)`", at: missingAt,
                          help: ["add `\(definition.name): ...` (\(definition.type.phrase)): \(definition.summary)"]))
        }
        return result
    }

    /// A short range at the start of a node, for errors about a whole mapping.
    static func head(of node: YAMLNode) -> SourceRange {
        let start = node.range.start
        let end = node.range.end.line == start.line ? node.range.end : SourceLocation(line: start.line, column: start.column + 1)
        return SourceRange(start: start, end: end)
    }

    static func list(_ names: [String]) -> String {
        names.map { "`\($0)`" }.joined(separator: ", ")
    }
}
