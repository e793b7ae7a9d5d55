import DLCDiagnostics

extension SpecDecoder {
    /// `init: {checkpoint: PATH}` (and, on a layer, `layer: NAME`): trained weights to start from.
    /// `namesInitializers`: the layer's `init` may also be an initializer's name.
    func checkpointReference(_ node: YAMLNode, onLayer: Bool, namesInitializers: Bool = false) -> CheckpointReference? {
        let definitions = onLayer ? Vocabulary.checkpointInit : Vocabulary.checkpointInit.filter { $0.name != "layer" }
        guard node.pairs != nil else {
            report(.error("wrong-type", "`init` \(namesInitializers ? "takes an initializer's name or" : "takes") a mapping `{checkpoint: PATH}`, "
                              + "found \(node.kindDescription)", at: node.range,
                          help: ["write `init: {checkpoint: runs/NAME/model.safetensors}`"]))
            return nil
        }
        let options = options(of: node, definitions: definitions, context: "`init`", missingAt: Self.head(of: node))
        guard options.isMapping, let pathNode = options["checkpoint"], let path = string(pathNode, option: "checkpoint") else { return nil }
        guard !path.value.isEmpty, !path.value.contains("\0") else {
            report(.error("invalid-path", "`checkpoint` needs a file path", at: path.range,
                          help: ["name a `model.safetensors` written by `dlc run`"]))
            return nil
        }
        var layer: Located<String>?
        if let node = options["layer"] {
            guard let name = identifier(node, option: "layer") else { return nil }
            layer = name
        }
        return CheckpointReference(path: path, layer: layer, range: node.range)
    }
}
