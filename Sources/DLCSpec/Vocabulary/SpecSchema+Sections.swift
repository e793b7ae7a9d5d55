/// The nested sections of the spec schema: layers, kinds with options, data and training.
extension SpecSchema {
    /// The top-level options whose registry type is a placeholder, by option name.
    static func topLevelSections() -> [String: [String: Any]] {
        var sections = [
            "hyperparameters": ref("hyperparameters"),
            "data": ref("data"),
            "model": ref("model"),
            "loss": ref("loss"),
            "optimizer": ref("optimizer"),
            "training": ref("training"),
            "sweep": ref("sweep"),
        ]
        if let metrics = Vocabulary.topLevel.first(where: { $0.name == "metrics" }) {
            // The decoder reports a metric listed twice.
            var schema = value(metrics.type)
            schema["uniqueItems"] = true
            sections["metrics"] = schema
        }
        return sections
    }

    /// `$defs`: the sections and kinds that other parts refer to.
    static func definitions() -> [String: Any] {
        [
            "reference": referenceDefinition(),
            "hyperparameters": hyperparameters(),
            "data": mapping(Vocabulary.dataSection, nested: [
                "train": ref("source"),
                "validation": ref("split"),
                "test": ref("split"),
                // Column name -> `number`, `category`, or a kind with options.
                "columns": ["type": "object", "additionalProperties": kinds(Vocabulary.columnKinds)],
            ]),
            "source": source(),
            "split": split(),
            "idxFiles": mapping(Vocabulary.idxFiles),
            "model": mapping(Vocabulary.modelSection, nested: [
                "layers": ["$ref": "#/$defs/layers", "minItems": 1],
                "init": mapping(Vocabulary.checkpointInit),
            ]),
            "layers": ["type": "array", "items": ref("layer")],
            "layer": layer(),
            "repeat": described(mapping(Vocabulary.repeatBlock, nested: ["layers": ref("layers")]),
                                "a block of layers, repeated `repeat` times; names inside are scoped to one iteration (`NAME.ITERATION` outside it)"),
            "residual": described(["type": "object", "properties": ["residual": mapping(Vocabulary.residualBlock, nested: ["layers": ref("layers")])],
                                   "required": ["residual"], "additionalProperties": false],
                                  "a residual block: y = layers(x) + shortcut(x), the shortcut projected when the shapes differ"),
            "loss": kinds(Vocabulary.losses),
            "optimizer": kinds(Vocabulary.optimizers),
            "training": mapping(Vocabulary.trainingSection, nested: [
                "early_stopping": ref("earlyStopping"),
                "schedule": ref("schedule"),
            ]),
            "earlyStopping": mapping(Vocabulary.earlyStopping),
            "schedule": kinds(Vocabulary.schedules),
            "sweep": mapping(Vocabulary.sweepSection, nested: [
                "values": [
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": ["pattern": "^[A-Za-z][A-Za-z0-9_]*$"],
                    "additionalProperties": ["anyOf": [
                        ["type": "array", "minItems": 1, "items": ["type": ["string", "number", "integer", "boolean"]]],
                        ref("sweepRange"),
                    ]],
                ],
            ]),
            "sweepRange": mapping(Vocabulary.sweepRange, nested: [
                "min": ["type": "number"],
                "max": ["type": "number"],
            ]),
        ]
    }

    /// `hyperparameters`: names to scalars; a hyperparameter cannot refer to another.
    ///
    /// JSON cannot tell a quoted `"$x"` (a literal string to dlc) from a plain `$x` (an error), so
    /// the schema rejects both.
    static func hyperparameters() -> [String: Any] {
        let valueSchema: [String: Any] = [
            "type": ["string", "number", "integer", "boolean"],
            "not": ref("reference"),
            "description": "a value that `$name` stands for; it cannot refer to another hyperparameter",
        ]
        return [
            "type": "object",
            "propertyNames": ["maxLength": 64],
            "patternProperties": ["^[A-Za-z][A-Za-z0-9_]*$": valueSchema],
            "additionalProperties": false,
        ]
    }

    // MARK: - Layers

    /// The name every layer may carry, besides its kind's options.
    static let layerName = OptionDefinition("name", .identifier, "the layer's name (default: `KIND_INDEX`, its position in the expanded list)")
    /// The input a one-input layer may read instead of the item before it.
    static let layerTrainable = OptionDefinition("trainable", .boolean, default: "true",
                                                 "`false` freezes the layer's parameters: no gradient, no optimizer state")
    static let layerFrom = OptionDefinition("from", .identifier, "the layer it reads, by name (default: the item before it; `input` is the model's input)")

    /// One item of a layer list: a bare kind, `KIND: {options}`, or a `repeat` block.
    static func layer() -> [String: Any] {
        var alternatives: [[String: Any]] = []
        let bare = Vocabulary.layers.filter(\.allowsBareName).map(\.name)
        if !bare.isEmpty {
            alternatives.append(["type": "string", "enum": bare, "description": "a layer kind without options"])
        }
        alternatives.append(ref("repeat"))
        alternatives.append(ref("residual"))
        let checkpoint = mapping(Vocabulary.checkpointInit)
        for kind in Vocabulary.layers {
            let extra = (kind.option("from") == nil ? [layerName, layerFrom] : [layerName]) + [layerTrainable]
            var nested: [String: [String: Any]] = [:]
            if let initOption = kind.option("init") {
                // An initializer's name, or a checkpoint to start from.
                nested["init"] = initOption.type.phrase.hasPrefix("a mapping") ? checkpoint : ["anyOf": [value(initOption.type), checkpoint]]
            }
            alternatives.append(oneKey(kind, options: mapping(kind.options, nested: nested, extra: extra)))
        }
        return ["anyOf": alternatives]
    }

    // MARK: - Kinds with options

    /// A bare name (or a `$name` holding one) or a one-key mapping `NAME: {options}`, for losses,
    /// optimizers and schedules.
    static func kinds(_ kinds: [KindDefinition]) -> [String: Any] {
        var alternatives: [[String: Any]] = []
        let bare = kinds.filter(\.allowsBareName).map(\.name)
        if !bare.isEmpty {
            let names: [String: Any] = ["type": "string", "enum": bare, "description": "a name, with default options"]
            alternatives.append(orReference(names))
        }
        for kind in kinds {
            alternatives.append(oneKey(kind, options: mapping(kind.options)))
        }
        return ["anyOf": alternatives]
    }

    /// `{KIND: {options}}`; also `{KIND: null}` when no option is required.
    static func oneKey(_ kind: KindDefinition, options: [String: Any]) -> [String: Any] {
        let value: [String: Any] = kind.allowsBareName ? ["anyOf": [["type": "null"], options]] : options
        return [
            "type": "object",
            "properties": [kind.name: described(value, kind.summary)],
            "required": [kind.name],
            "additionalProperties": false,
            "description": "`\(kind.name)`: \(kind.summary)",
        ]
    }

    // MARK: - Data

    /// A data source: exactly one of the source kinds, with that kind's options beside it.
    static func source() -> [String: Any] {
        let alternatives = Vocabulary.dataSources.map { kind in
            described(mapping(kind.options, nested: ["idx": ref("idxFiles")]), "`\(kind.name)`: \(kind.summary)")
        }
        return ["oneOf": alternatives]
    }

    /// `validation` and `test`: a fraction of the training examples, or a source of their own.
    static func split() -> [String: Any] {
        ["anyOf": [
            described(value(.openUnitInterval), "a fraction of the training examples, held out after a seeded shuffle"),
            ref("source"),
        ]]
    }

    /// A schema with a `description`.
    static func described(_ schema: [String: Any], _ description: String) -> [String: Any] {
        var result = schema
        result["description"] = description
        return result
    }
}
