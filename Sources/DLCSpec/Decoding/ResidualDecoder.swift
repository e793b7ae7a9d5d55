import DLCDiagnostics

extension SpecDecoder {
    /// Expands `residual: {layers, projection, name, from}` into its layers and an `add` of the
    /// last one's output and the block's input (the shortcut). Whether the shortcut needs a
    /// projection depends on shapes, so the checker decides it from `LayerSpec.residual`.
    func expandResidual(_ item: YAMLNode, into expansion: inout LayerExpansion, depth: Int, blockInput: SourceRange?) -> Bool {
        guard let pairs = item.pairs, let key = pairs.first else { return false }
        for pair in pairs.dropFirst() {
            let inside = pair.keyText.map { Vocabulary.residualBlock.map(\.name).contains($0) } ?? false
            report(.error("expected-layer", "a `residual` item has one key, but this one also has `\(pair.keyText ?? "?")`", at: pair.key.range,
                          help: [inside ? "`\(pair.keyText ?? "")` belongs inside the block: indent it under `residual:`"
                                        : "start each layer with its own `- `"],
                          notes: [DiagnosticNote("the block starts here", at: key.key.range)]))
        }
        guard pairs.count == 1 else { return false }
        let options = options(of: key.value, definitions: Vocabulary.residualBlock, context: "`residual`", missingAt: key.key.range)
        guard options.isMapping, let blockNode = options["layers"] else { return false }
        var projection = ResidualProjection.auto
        if let node = options["projection"] {
            guard let choice = choice(node, option: "projection", among: Vocabulary.residualProjections),
                  let value = ResidualProjection(rawValue: choice.value) else { return false }
            projection = value
        }
        var written: Located<String>?
        if let node = options["name"] {
            guard let name = identifier(node, option: "name") else { return false }
            written = name
        }
        let index = expansion.layers.count
        // The block's input: the item before it, or what `from:` names.
        var shortcut = expansion.names.previous
        var shortcutRange = key.key.range
        if let node = options["from"] {
            if let blockInput {
                report(.error("from-in-block-start", "the first item of a `residual` block reads the block's input, so `from:` here means nothing",
                              at: node.range, help: ["write `from:` on the outer `residual`"],
                              notes: [DiagnosticNote("the outer block starts here", at: blockInput)]))
                return false
            }
            guard let name = identifier(node, option: "from"),
                  let resolved = resolveInput(name, readBy: written.map { expansion.names.expanded($0.value) } ?? "residual_\(index)",
                                              written: written?.value, in: &expansion) else { return false }
            shortcut = resolved
            shortcutRange = name.range
        }
        expansion.names.previous = shortcut
        guard expandLayers(blockNode, option: "layers", into: &expansion, depth: depth + 1, blockInput: key.key.range) else { return false }
        guard expansion.layers.count > index else {
            report(.error("empty-list", "a `residual` block needs at least one layer", at: blockNode.range,
                          help: ["list the block's layers, e.g. `layers: [dense: {units: 16}]`"]))
            return false
        }
        let last = expansion.layers[expansion.layers.count - 1]
        var ranges: [String: SourceRange] = [:]
        if let written { ranges["name"] = written.range }
        if let node = options["projection"] { ranges["projection"] = node.range }
        let add = LayerSpec(name: "residual_\(expansion.layers.count)", kind: "residual", config: .add, range: item.range,
                            kindRange: key.key.range, optionRanges: ranges, inputs: [last.name, shortcut],
                            inputRanges: [last.kindRange, shortcutRange],
                            residual: ResidualShortcut(projection: projection, blockRange: key.key.range, projectionRange: ranges["projection"]))
        return append(DecodedLayer(spec: add, writtenName: written, from: nil, fromRange: nil), blockInput: nil, into: &expansion)
    }
}
