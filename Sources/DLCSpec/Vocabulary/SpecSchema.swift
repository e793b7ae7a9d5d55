import Foundation

/// The JSON Schema (draft 2020-12) of the spec language, generated from `Vocabulary`.
///
/// Every layer kind, loss, optimizer, schedule, data source and section option comes from the
/// registry, so a new entry there changes the schema with no other edit. Options whose registry
/// type is a `.string` placeholder for a nested section are replaced by that section's schema,
/// by option name (see `SpecSchema+Sections.swift`). The schema states what the decoder accepts;
/// what JSON Schema cannot say (references, `repeat` expansion, shapes) is in `grammar/README.md`.
public enum SpecSchema {
    /// The schema's `$id`.
    public static let identifier = "https://dlc.dev/schema/spec-v1.json"

    /// The schema as pretty-printed JSON with sorted keys, ending in a newline.
    public static func jsonSchema() -> String {
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: document(), options: options),
              let text = String(data: data, encoding: .utf8) else {
            preconditionFailure("internal: the spec schema is not serializable as JSON")
        }
        return text + "\n"
    }

    /// The whole schema as a JSON object.
    static func document() -> [String: Any] {
        var root = mapping(Vocabulary.topLevel, nested: topLevelSections())
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = identifier
        root["title"] = "dlc spec, version 1"
        root["description"] = "A declarative deep-learning model spec for dlc: the model's layers, its loss and optimizer, "
            + "and the data and training settings that `dlc run` needs. A scalar option may also be a `$name` "
            + "reference to a hyperparameter."
        root["$defs"] = definitions()
        return root
    }

    // MARK: - Building blocks

    /// `{"$ref": "#/$defs/NAME"}`.
    static func ref(_ name: String) -> [String: Any] {
        ["$ref": "#/$defs/\(name)"]
    }

    /// `$name`, a reference to a hyperparameter; allowed wherever a scalar goes.
    static func referenceDefinition() -> [String: Any] {
        [
            "type": "string",
            "pattern": "^\\$[A-Za-z][A-Za-z0-9_]*$",
            "description": "a reference to a hyperparameter, `$name`, replaced by its value (or its `--set` override)",
        ]
    }

    /// A scalar schema that also accepts a `$name` reference.
    static func orReference(_ schema: [String: Any]) -> [String: Any] {
        ["anyOf": [schema, ref("reference")]]
    }

    /// A strict mapping of options: every key is known, required ones are listed.
    ///
    /// `nested` replaces the schema of an option by name (for sections and kinds whose registry
    /// type is only a placeholder); `extra` adds options the registry leaves implicit (a layer's `name`).
    static func mapping(_ options: [OptionDefinition], nested: [String: [String: Any]] = [:],
                        extra: [OptionDefinition] = []) -> [String: Any] {
        var properties: [String: Any] = [:]
        for option in options + extra {
            properties[option.name] = property(option, schema: nested[option.name])
        }
        var schema: [String: Any] = [
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
        ]
        let required = options.filter(\.isRequired).map(\.name)
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    /// One option's schema with its `description` and `default`.
    static func property(_ option: OptionDefinition, schema: [String: Any]? = nil) -> [String: Any] {
        var result = schema ?? value(option.type)
        result["description"] = option.summary
        if let text = option.defaultValue { result["default"] = defaultValue(text) }
        return result
    }

    /// Reads a registry default, written as YAML text, as a JSON boolean, number or string.
    static func defaultValue(_ text: String) -> Any {
        switch text {
        case "true": return true
        case "false": return false
        default: break
        }
        if let integer = Int(text) { return integer }
        if let number = Double(text), number.isFinite { return bound(number) }
        return text
    }

    /// A bound or default as an integer when it is whole, so `0` does not print as `0.0`.
    static func bound(_ value: Double) -> Any {
        if value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        return value
    }

    // MARK: - Option types

    /// The schema of a value of one option type; scalars also accept `$name`.
    static func value(_ type: OptionType) -> [String: Any] {
        switch type {
        case .integer, .number, .boolean, .choice, .identifier:
            return orReference(scalar(type))
        case .string, .path, .section:
            // The decoder reads a number or boolean where text is expected as its text, and a
            // `$name` reference is itself a string, so these need no `anyOf`.
            return scalar(type)
        case .size2D:
            let side = value(.positiveInteger)
            let pair: [String: Any] = ["type": "array", "items": side, "minItems": 2, "maxItems": 2]
            return ["anyOf": [scalar(.positiveInteger), ref("reference"), pair]]
        case .list(let item, let minimumCount):
            var schema: [String: Any] = ["type": "array", "items": value(item)]
            if minimumCount > 0 { schema["minItems"] = minimumCount }
            return schema
        case .nameOrNames:
            let names: [String: Any] = ["type": "array", "items": scalar(.string), "minItems": 1]
            return ["anyOf": [scalar(.string), names]]
        }
    }

    /// The schema of a single scalar of one type, without the reference alternative.
    static func scalar(_ type: OptionType) -> [String: Any] {
        switch type {
        case .integer(let minimum, let maximum):
            var schema: [String: Any] = ["type": "integer"]
            if let minimum { schema["minimum"] = minimum }
            if let maximum { schema["maximum"] = maximum }
            return schema
        case .number(let minimum, let minimumExclusive, let maximum, let maximumExclusive):
            var schema: [String: Any] = ["type": "number"]
            if let minimum { schema[minimumExclusive ? "exclusiveMinimum" : "minimum"] = bound(minimum) }
            if let maximum { schema[maximumExclusive ? "exclusiveMaximum" : "maximum"] = bound(maximum) }
            return schema
        case .boolean:
            return ["type": "boolean"]
        case .string, .section:
            return ["type": ["string", "number", "boolean"]]
        case .path:
            return ["type": ["string", "number", "boolean"], "minLength": 1]
        case .identifier:
            return ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_.-]*$", "maxLength": 100]
        case .choice(let names):
            return ["type": "string", "enum": names]
        case .size2D, .list, .nameOrNames:
            preconditionFailure("internal: \(type.phrase) is not a scalar type")
        }
    }
}
