import DLCDiagnostics

extension SpecDecoder {
    /// Reads `hyperparameters:`, a mapping of names to scalars.
    func readHyperparameters(_ node: YAMLNode) {
        guard let pairs = node.pairs else {
            report(.error("expected-mapping", "`hyperparameters` takes a mapping of names to values, found \(node.kindDescription)",
                          at: node.range, help: ["for example `hyperparameters: {neurons: 16, learning_rate: 0.01}`"]))
            hyperparametersRejected = true
            return
        }
        for pair in pairs {
            guard let name = pair.keyText else { continue }
            guard Self.isHyperparameterName(name) else {
                report(.error("invalid-name", "hyperparameter names are snake_case identifiers, found `\(name)`", at: pair.key.range,
                              help: ["use letters, digits and `_`, starting with a letter"]))
                continue
            }
            guard let scalar = pair.value.scalar else {
                report(.error("wrong-type", "hyperparameter `\(name)` must be a single value, found \(pair.value.kindDescription)",
                              at: pair.value.range, help: ["hyperparameters hold one number, boolean or name each"]))
                rejectedHyperparameters.insert(name)
                continue
            }
            var value = scalar.value
            if case .string(let text) = value, scalar.style == .plain, text.hasPrefix("$") {
                report(.error("nested-reference", "hyperparameter `\(name)` cannot refer to another hyperparameter", at: pair.value.range,
                              help: ["give it a value of its own"]))
                rejectedHyperparameters.insert(name)
                continue
            }
            if case .null = value {
                report(.error("wrong-type", "hyperparameter `\(name)` has no value", at: pair.value.range.start == pair.value.range.end ? pair.key.range : pair.value.range,
                              help: ["give it a value, such as `\(name): 16`"]))
                rejectedHyperparameters.insert(name)
                continue
            }
            if case .number(let number) = value, !number.isFinite {
                report(.error("out-of-range", "hyperparameter `\(name)` must be finite, found `\(scalar.text)`", at: pair.value.range))
                rejectedHyperparameters.insert(name)
                continue
            }
            if scalar.style != .plain { value = .string(scalar.text) }
            hyperparameters[name] = Hyperparameter(name: name, value: value, range: pair.value.range, nameRange: pair.key.range)
        }
    }

    /// Applies `--set NAME=VALUE`; an unknown name is an error with did-you-mean.
    func applyOverrides() {
        for (name, text) in overrides {
            guard var hyperparameter = hyperparameters[name] else {
                report(.error("unknown-override", "`--set \(name)=\(text)`: the spec has no hyperparameter `\(name)`", at: nil,
                              help: [unknownHyperparameterHelp(name, prefix: "", whenNoneDeclared: "only names under `hyperparameters:` can be set")]))
                continue
            }
            let value = YAMLScalar.resolvePlain(text)
            if case .null = value {
                report(.error("wrong-type", "`--set \(name)=`: give a value after `=`", at: nil))
                continue
            }
            hyperparameter.value = value
            hyperparameter.override = text
            hyperparameters[name] = hyperparameter
        }
    }

    func warnUnusedHyperparameters() {
        for hyperparameter in hyperparameters.values.sorted(by: { $0.range.start < $1.range.start })
        where !usedHyperparameters.contains(hyperparameter.name) {
            report(.warning("unused-hyperparameter", "hyperparameter `\(hyperparameter.name)` is never used", at: hyperparameter.nameRange,
                            help: ["refer to it as `$\(hyperparameter.name)`, or remove it"]))
        }
    }

    /// "did you mean ...?", or the declared names, for a name that is not a hyperparameter.
    func unknownHyperparameterHelp(_ name: String, prefix: String, whenNoneDeclared: String) -> String {
        if let close = Suggestion.closest(to: name, among: hyperparameters.keys) { return "did you mean `\(prefix)\(close)`?" }
        if hyperparameters.isEmpty { return whenNoneDeclared }
        return "declared hyperparameters: " + Self.list(hyperparameters.keys.sorted())
    }

    static func isHyperparameterName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return name.count <= 64 && name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
        }
    }
}
