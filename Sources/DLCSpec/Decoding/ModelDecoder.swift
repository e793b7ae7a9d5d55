import DLCDiagnostics

extension SpecDecoder {
    /// The most layers a spec may expand to.
    static let maximumLayers = 10_000
    /// The deepest `repeat` and `residual` blocks may nest.
    static let maximumNesting = 32

    /// The state of one model's expansion: the layers so far and the names they can read.
    struct LayerExpansion {
        var layers: [LayerSpec] = []
        var names = LayerNames()
        /// `from:` names that no layer above defines, reported once the whole list is read.
        var unresolved: [Located<String>] = []
        /// The count of each open `repeat` block, innermost last (where "too many layers" points).
        var repeatCounts: [SourceRange] = []
    }

    /// `inputs`: the model's inputs besides `input` (`DataSpec.inputNames`).
    func decodeModel(_ pair: YAMLPair, inputs: Set<String>, complete: inout Bool) -> ModelSpec? {
        let options = options(of: pair.value, definitions: Vocabulary.modelSection, context: "`model`", missingAt: pair.key.range)
        guard options.isMapping else { complete = false; return nil }
        var input: Located<[Int]>?
        if let node = options["input"] {
            if let dims = list(node, option: "input", type: .list(.positiveInteger, minimumCount: 1), minimumCount: 1, item: {
                integer($0, option: "input", type: .integer(minimum: 1, maximum: 1 << 31))?.value
            }) {
                input = Located(dims, at: node.range)
            } else {
                complete = false
            }
        }
        guard let layersPair = options.pairs["layers"] else { complete = false; return nil }
        var expansion = LayerExpansion()
        expansion.names.inputs = inputs
        var ok = expandLayers(layersPair.value, option: "layers", into: &expansion, depth: 0, blockInput: nil)
        if ok, expansion.layers.isEmpty {
            report(.error("empty-list", "`model.layers` is empty", at: layersPair.key.range,
                          help: ["add at least one layer, e.g. `- dense: {units: 1}`"]))
        }
        if !layerLimitReached, !reportUnresolved(expansion) { ok = false }
        if ok, !expansion.layers.isEmpty, !checkEveryOutputIsRead(expansion.layers) { ok = false }
        if !ok { complete = false }
        var initialWeights: CheckpointReference?
        if let node = options["init"] {
            initialWeights = checkpointReference(node, onLayer: false)
            if initialWeights == nil { complete = false }
        }
        return ModelSpec(input: input, layers: expansion.layers, layersRange: layersPair.key.range,
                         isComplete: ok && !expansion.layers.isEmpty, initialWeights: initialWeights)
    }

    /// Appends the layers of a list, expanding `repeat` and `residual` blocks; false when any item
    /// failed. `blockInput` is set when the list's first item reads a residual block's input.
    func expandLayers(_ node: YAMLNode, option: String, into expansion: inout LayerExpansion, depth: Int,
                      blockInput: SourceRange?) -> Bool {
        guard let items = node.items else {
            report(.error("wrong-type", "`\(option)` takes a list of layers, found \(node.kindDescription)", at: node.range,
                          help: ["write each layer on a `- ` line, e.g. `- dense: {units: 8}`"]))
            return false
        }
        guard depth < Self.maximumNesting else {
            report(.error("too-deep", "`repeat` and `residual` blocks nest more than \(Self.maximumNesting) deep", at: node.range,
                          help: ["flatten the blocks"]))
            return false
        }
        var ok = true
        for (position, item) in items.enumerated() {
            let fixedInput = position == 0 ? blockInput : nil
            let firstKey = item.pairs?.first?.keyText
            if let pairs = item.pairs, pairs.contains(where: { $0.keyText == "repeat" }) {
                ok = expandRepeat(item, into: &expansion, depth: depth, blockInput: fixedInput) && ok
            } else if firstKey == "residual" {
                ok = expandResidual(item, into: &expansion, depth: depth, blockInput: fixedInput) && ok
            } else if let decoded = decodeLayer(item, index: expansion.layers.count) {
                ok = append(decoded, blockInput: fixedInput, into: &expansion) && ok
            } else {
                // Later `from:` entries may still name it: one error per cause.
                if let name = Self.writtenName(of: item) { expansion.names.define(written: name, expanded: expansion.names.expanded(name), at: item.range) }
                ok = false
            }
            if layerLimitReached { return false }
        }
        return ok
    }

    /// Names the layer, resolves its inputs and appends it; false (with an error) when it cannot.
    func append(_ decoded: DecodedLayer, blockInput: SourceRange?, into expansion: inout LayerExpansion) -> Bool {
        var layer = decoded.spec
        let written = decoded.writtenName?.value
        let expanded = written.map { expansion.names.expanded($0) } ?? layer.name
        if written == LayerNames.input {
            report(.error("reserved-name", "`input` is the model's input and cannot name a layer", at: layer.nameRange,
                          help: ["choose another name"]))
            return false
        }
        if let first = expansion.names.clash(written: written, expanded: expanded) {
            report(.error("duplicate-layer-name", "two layers are named `\(written ?? expanded)`", at: layer.nameRange,
                          help: ["give each layer its own name"],
                          notes: [DiagnosticNote("the first `\(written ?? expanded)` is here", at: first.range)]))
            return false
        }
        layer.name = expanded
        // Defined even when its inputs fail, so later `from:` entries naming it stay silent; a
        // `KIND_INDEX` name is left to the next layer at this index.
        var appended = false
        defer {
            if appended || written != nil { expansion.names.define(written: written, expanded: expanded, at: layer.nameRange) }
        }
        if let from = decoded.from {
            if let blockInput {
                report(.error("from-in-block-start", "the first layer of a `residual` block reads the block's input, so `from:` here means nothing",
                              at: decoded.fromRange ?? layer.kindRange,
                              help: ["to give the block another input, write `from:` on the `residual` itself"],
                              notes: [DiagnosticNote("the block starts here", at: blockInput)]))
                return false
            }
            guard checkInputCount(from, of: layer, range: decoded.fromRange ?? layer.kindRange) else { return false }
            var inputs: [String] = []
            for name in from {
                guard let resolved = resolveInput(name, readBy: expanded, written: written, in: &expansion) else { continue }
                inputs.append(resolved)
            }
            guard inputs.count == from.count else { return false }
            layer.inputs = inputs
            layer.inputRanges = from.map(\.range)
        } else if layer.inputs.isEmpty {
            layer.inputs = [expansion.names.previous]
            layer.inputRanges = [layer.kindRange]
        }
        appended = appendChecked(layer, at: expansion.repeatCounts.last ?? layer.range, into: &expansion)
        return appended
    }

    /// Appends a named, connected layer unless the model reached the layer limit.
    func appendChecked(_ layer: LayerSpec, at range: SourceRange, into expansion: inout LayerExpansion) -> Bool {
        guard expansion.layers.count < Self.maximumLayers else {
            report(.error("too-many-layers", "the model expands to more than \(Self.maximumLayers) layers", at: range,
                          help: ["lower the `repeat` counts"]))
            layerLimitReached = true
            return false
        }
        expansion.layers.append(layer)
        return true
    }

    /// A merge reads two or more inputs; every other layer, one.
    private func checkInputCount(_ from: [Located<String>], of layer: LayerSpec, range: SourceRange) -> Bool {
        if layer.config.isMerge, from.count < 2 {
            report(.error("merge-of-one", "`\(layer.kind)` merges two or more inputs, but `from:` names \(from.count)", at: range,
                          help: ["name every input, e.g. `from: [\(from.first?.value ?? "a"), b]`; to read one layer, drop the `\(layer.kind)`"]))
            return false
        }
        if !layer.config.isMerge, from.count > 1 {
            report(.error("too-many-inputs", "`\(layer.kind)` reads one input, but `from:` names \(from.count)", at: range,
                          help: ["merge them first, e.g. `- concat: {from: [\(from.map(\.value).joined(separator: ", "))]}`, then read the merge"]))
            return false
        }
        return true
    }

    private func expandRepeat(_ node: YAMLNode, into expansion: inout LayerExpansion, depth: Int, blockInput: SourceRange?) -> Bool {
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
        let count = integer(countNode, option: "repeat", type: .integer(minimum: 1, maximum: 1000))
        let block = expansion.names.beginBlock(repeatRange: count?.range ?? countNode.range)
        defer { expansion.names.endBlock() }
        guard let count else {
            // Still read the block once, so its own errors are reported.
            var scratch = expansion
            scratch.names.beginIteration(block: block, index: 0)
            _ = expandLayers(blockNode, option: "layers", into: &scratch, depth: depth + 1, blockInput: blockInput)
            return false
        }
        expansion.repeatCounts.append(count.range)
        defer { expansion.repeatCounts.removeLast() }
        for iteration in 0..<count.value {
            expansion.names.beginIteration(block: block, index: iteration)
            let ok = expandLayers(blockNode, option: "layers", into: &expansion, depth: depth + 1, blockInput: iteration == 0 ? blockInput : nil)
            expansion.names.endIteration()
            // A failing first copy stops here, so its errors are reported once.
            guard ok else { return false }
        }
        return true
    }

    /// The `name:` a layer item gives, read without reporting anything.
    static func writtenName(of item: YAMLNode) -> String? {
        guard let pairs = item.pairs, pairs.count == 1, let options = pairs[0].value.pairs,
              let name = options.first(where: { $0.keyText == "name" })?.value.scalar?.text else { return nil }
        return name
    }
}
