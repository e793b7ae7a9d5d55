import DLCDiagnostics

/// `from:` resolution and the rules over the whole layer graph: every name defined above its use,
/// every output read.
extension SpecDecoder {
    /// The expanded name `from: NAME` reads, or nil after an error (or, for a name not defined
    /// above, after recording it for `reportUnresolved`).
    func resolveInput(_ name: Located<String>, readBy layer: String, written: String?, in expansion: inout LayerExpansion) -> String? {
        if name.value == layer || name.value == written {
            report(.error("self-reference", "`\(name.value)` cannot read its own output", at: name.range,
                          help: ["name a layer above it, or `input` for the model's input"]))
            return nil
        }
        switch expansion.names.resolve(name.value) {
        case .found(let expanded):
            return expanded
        case .otherIteration(let definition):
            report(.error("other-iteration", "`\(name.value)` belongs to another iteration of the `repeat` block; inside the block, `from:` reads the same iteration's layers",
                          at: name.range,
                          help: [definition.expanded.split(separator: ".").first.map { "write `from: \($0)` for this iteration's layer" }
                                 ?? "read a layer of this iteration"],
                          notes: [DiagnosticNote("`\(name.value)` is defined here", at: definition.range)]))
            return nil
        case .repeated(let repeatRange, let expanded):
            report(.error("repeated-name", "`\(name.value)` is defined once per iteration of a `repeat` block, so it names \(expanded.count) layers here",
                          at: name.range, help: ["name one iteration's: " + Self.abbreviated(expanded)],
                          notes: [DiagnosticNote("the block is repeated here", at: repeatRange)]))
            return nil
        case .unknown:
            expansion.unresolved.append(name)
            return nil
        }
    }

    /// Reports each `from:` name that no layer above defined: defined below it, or nowhere.
    /// False when there was any.
    func reportUnresolved(_ expansion: LayerExpansion) -> Bool {
        for name in expansion.unresolved {
            switch expansion.names.resolve(name.value) {
            case .found(let expanded):
                let definition = expansion.names.byExpandedName[expanded]
                report(.error("used-before-defined", "`\(name.value)` is used before it is defined: a layer reads only the layers above it",
                              at: name.range, help: ["move `\(name.value)` above this layer, or read a layer defined before it"],
                              notes: definition.map { [DiagnosticNote("`\(name.value)` is defined here", at: $0.range)] } ?? []))
            case .otherIteration(let definition):
                report(.error("used-before-defined", "`\(name.value)` is used before it is defined: a layer reads only the layers above it",
                              at: name.range, help: ["move `\(name.value)` above this layer"],
                              notes: [DiagnosticNote("`\(name.value)` is defined here", at: definition.range)]))
            case .repeated(let repeatRange, _):
                report(.error("used-before-defined", "`\(name.value)` is used before it is defined: a layer reads only the layers above it",
                              at: name.range, help: ["move the block that defines `\(name.value)` above this layer"],
                              notes: [DiagnosticNote("`\(name.value)` is defined in this block", at: repeatRange)]))
            case .unknown:
                let names = expansion.names.visibleNames
                report(.error("unknown-layer-name", "no layer is named `\(name.value)`", at: name.range,
                              help: [Vocabulary.didYouMean(name.value, among: names)
                                     ?? "layers are named by `name:` or `KIND_INDEX`; the model's input is `input`"]))
            }
        }
        return expansion.unresolved.isEmpty
    }

    /// Every layer but the last (the model's output) must be read by another; false after reporting one that is not.
    func checkEveryOutputIsRead(_ layers: [LayerSpec]) -> Bool {
        var read = Set<String>()
        for layer in layers { read.formUnion(layer.inputs) }
        var ok = true
        for layer in layers.dropLast() where !read.contains(layer.name) {
            report(.error("unread-output", "nothing reads the output of `\(layer.name)`", at: layer.nameRange,
                          help: ["only the last layer is the model's output: read `\(layer.name)` with `from:` in a later layer, or remove it"]))
            ok = false
        }
        return ok
    }

    /// The first and last few of a long list of names.
    static func abbreviated(_ names: [String]) -> String {
        let shown = names.count <= 4 ? names : Array(names.prefix(2)) + [names[names.count - 1]]
        let quoted = shown.map { "`\($0)`" }
        return names.count <= 4 ? quoted.joined(separator: ", ") : quoted[0] + ", " + quoted[1] + ", ..., " + quoted[2]
    }
}
