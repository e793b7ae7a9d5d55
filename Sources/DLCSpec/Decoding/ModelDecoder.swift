import DLCDiagnostics

extension SpecDecoder {
    /// The most layers a spec may expand to.
    static let maximumLayers = 10_000

    func decodeModel(_ pair: YAMLPair, complete: inout Bool) -> ModelSpec? {
        let options = options(of: pair.value, definitions: Vocabulary.modelSection, context: "`model`", missingAt: pair.key.range)
        guard options.isMapping else { complete = false; return nil }
        var input: Located<[Int]>?
        if let node = options["input"] {
            if let dims = list(node, option: "input", type: .list(.positiveInteger, minimumCount: 1), minimumCount: 1, item: {
                integer($0, option: "input", type: .integer(minimum: 1, maximum: 1 << 31))?.value
            }) {
                input = Located(dims, at: node.range)
            }
        }
        guard let layersPair = options.pairs["layers"] else { complete = false; return nil }
        var layers: [LayerSpec] = []
        var positions: [String: SourceRange] = [:]
        let ok = expandLayers(layersPair.value, option: "layers", into: &layers, names: &positions, depth: 0)
        if !ok { complete = false }
        if ok, layers.isEmpty {
            report(.error("empty-list", "`model.layers` is empty", at: layersPair.key.range,
                          help: ["add at least one layer, e.g. `- dense: {units: 1}`"]))
        }
        return ModelSpec(input: input, layers: layers, layersRange: layersPair.key.range, isComplete: ok && !layers.isEmpty)
    }

    /// Appends the layers of a list, expanding `repeat` blocks; false when any item failed.
    private func expandLayers(_ node: YAMLNode, option: String, into layers: inout [LayerSpec],
                              names: inout [String: SourceRange], depth: Int, repeatRange: SourceRange? = nil) -> Bool {
        guard let items = node.items else {
            report(.error("wrong-type", "`\(option)` takes a list of layers, found \(node.kindDescription)", at: node.range,
                          help: ["write each layer on a `- ` line, e.g. `- dense: {units: 8}`"]))
            return false
        }
        var ok = true
        for item in items {
            if let pairs = item.pairs, pairs.contains(where: { $0.keyText == "repeat" }) {
                ok = expandRepeat(item, into: &layers, names: &names, depth: depth) && ok
                if layerLimitReached { return false }
                continue
            }
            guard let layer = decodeLayer(item, index: layers.count) else { ok = false; continue }
            let nameRange = layer.optionRanges["name"] ?? layer.kindRange
            if let first = names[layer.name] {
                let inRepeat = repeatRange != nil && first == nameRange
                report(.error("duplicate-layer-name", "two layers are named `\(layer.name)`", at: nameRange,
                              help: [inRepeat ? "every copy of a `repeat` block gets the same name; remove `name:` inside `repeat`"
                                              : "give each layer its own name"],
                              notes: [inRepeat ? DiagnosticNote("the block is repeated here", at: repeatRange)
                                               : DiagnosticNote("the first `\(layer.name)` is here", at: first)]))
                ok = false
                continue
            }
            names[layer.name] = nameRange
            guard layers.count < Self.maximumLayers else {
                report(.error("too-many-layers", "the model expands to more than \(Self.maximumLayers) layers", at: repeatRange ?? item.range,
                              help: ["lower the `repeat` counts"]))
                layerLimitReached = true
                return false
            }
            layers.append(layer)
        }
        return ok
    }

    private func expandRepeat(_ node: YAMLNode, into layers: inout [LayerSpec], names: inout [String: SourceRange], depth: Int) -> Bool {
        let pairs = node.pairs ?? []
        let repeatKey = pairs.first { $0.keyText == "repeat" }?.key.range ?? Self.head(of: node)
        if !pairs.contains(where: { $0.keyText == "layers" }),
           let stray = pairs.first(where: { $0.keyText.map { Vocabulary.layer($0) != nil } ?? false }) {
            report(.error("missing-key", "a `repeat` block lists its layers under `layers:`", at: stray.key.range,
                          help: ["write `layers:` under `repeat:` and indent the block's layers below it as a list"]))
            return false
        }
        let options = options(of: node, definitions: Vocabulary.repeatBlock, context: "`repeat`", missingAt: repeatKey)
        guard let countNode = options["repeat"], let blockNode = options["layers"] else { return false }
        guard let count = integer(countNode, option: "repeat", type: .integer(minimum: 1, maximum: 1000)) else {
            // Still read the block once, so its own errors are reported.
            var scratch: [LayerSpec] = []
            var scratchNames = names
            _ = expandLayers(blockNode, option: "layers", into: &scratch, names: &scratchNames, depth: depth + 1)
            return false
        }
        for _ in 0..<count.value {
            // A failing first copy stops here, so its errors are reported once.
            guard expandLayers(blockNode, option: "layers", into: &layers, names: &names, depth: depth + 1, repeatRange: count.range) else {
                return false
            }
        }
        return true
    }
}
