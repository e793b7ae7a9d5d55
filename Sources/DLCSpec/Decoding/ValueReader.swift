import DLCDiagnostics

/// A scalar's value after `$name` substitution, with where it came from.
struct ResolvedScalar {
    var value: YAMLScalar.Value
    /// The range of the text in the spec (the `$name` itself for a reference).
    var range: SourceRange
    /// The hyperparameter the value came from, if it was a reference.
    var reference: Hyperparameter?
    /// The scalar's own text, when the value was written in place.
    var literal: String?
    /// Whether the text was a quoted `"$name"`, which is a string, not a reference.
    var isQuotedReference = false

    /// "found the integer `0`" or "`$neurons` is the integer `0`", for messages.
    var foundPhrase: String {
        if let reference { return "but `$\(reference.name)` is \(Self.describe(value))" }
        if case .number = value, let literal { return "found the number `\(literal)`" }
        return "found \(Self.describe(value))"
    }

    /// The value as a user would write it.
    var text: String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return String(flag)
        case .integer(let integer): return String(integer)
        case .number(let number): return OptionType.format(number)
        case .string(let string): return string
        }
    }

    static func describe(_ value: YAMLScalar.Value) -> String {
        switch value {
        case .null: return "no value"
        case .bool(let flag): return "the boolean `\(flag)`"
        case .integer(let integer): return "the integer `\(integer)`"
        case .number(let number): return "the number `\(OptionType.format(number))`"
        case .string(let string): return string.isEmpty ? "an empty string" : "the string `\(string)`"
        }
    }
}

extension SpecDecoder {
    /// The scalar value of a node with references substituted; reports lists, mappings and
    /// unknown references.
    func scalar(_ node: YAMLNode, option: String, type: OptionType) -> ResolvedScalar? {
        guard let scalar = node.scalar else {
            report(.error("wrong-type", "`\(option)` takes \(type.phrase), found \(node.kindDescription)", at: node.range))
            return nil
        }
        let value = scalar.value
        if case .string(let text) = value, scalar.style == .plain, text.hasPrefix("$") {
            return reference(String(text.dropFirst()), at: node.range)
        }
        var resolved = ResolvedScalar(value: value, range: node.range, literal: scalar.text)
        resolved.isQuotedReference = scalar.style != .plain && scalar.text.hasPrefix("$") && hyperparameters[String(scalar.text.dropFirst())] != nil
        return resolved
    }

    /// Looks up `$name`.
    func reference(_ name: String, at range: SourceRange) -> ResolvedScalar? {
        if rejectedHyperparameters.contains(name) || hyperparametersRejected { return nil }
        guard let hyperparameter = hyperparameters[name] else {
            report(.error("unknown-reference", "unknown hyperparameter `$\(name)`", at: range,
                          help: [unknownHyperparameterHelp(name, prefix: "$", whenNoneDeclared: "declare it under `hyperparameters:`, e.g. `\(name): 16`")]))
            return nil
        }
        usedHyperparameters.insert(name)
        return ResolvedScalar(value: hyperparameter.value, range: range, reference: hyperparameter)
    }

    /// Reports a value of the wrong type or out of range, with a note on the hyperparameter it came from.
    func reportValue(_ code: String, _ message: String, _ resolved: ResolvedScalar, help: String? = nil) {
        var help = help
        if help == nil, resolved.isQuotedReference { help = "remove the quotes to refer to `\(resolved.text)`" }
        var diagnostic = Diagnostic.error(code, message, at: resolved.range).helping(help)
        if let reference = resolved.reference {
            if let override = reference.override {
                diagnostic = diagnostic.noting("`\(reference.name)` is set by `--set \(reference.name)=\(override)`")
            } else {
                diagnostic = diagnostic.noting("`\(reference.name)` is defined here", at: reference.range)
            }
        }
        report(diagnostic)
    }

    func integer(_ node: YAMLNode, option: String, type: OptionType) -> Located<Int>? {
        guard let resolved = scalar(node, option: option, type: type) else { return nil }
        let value: Int
        switch resolved.value {
        case .integer(let integer):
            value = integer
        case .number(let number) where number == number.rounded() && number.isFinite && abs(number) < 1e18:
            reportValue("wrong-type", "`\(option)` takes \(type.phrase), \(resolved.foundPhrase)", resolved,
                        help: "write it as a whole number: `\(Int(number))`")
            return nil
        case .number(let number) where number == number.rounded() && number.isFinite:
            reportValue("out-of-range", "`\(option)` must be \(type.phrase), \(resolved.foundPhrase)", resolved)
            return nil
        default:
            reportValue("wrong-type", "`\(option)` takes \(type.phrase), \(resolved.foundPhrase)", resolved,
                        help: resolved.value == .null ? "give it a value" : nil)
            return nil
        }
        if case .integer(let minimum, let maximum) = type {
            if let minimum, value < minimum {
                reportValue("out-of-range", "`\(option)` must be \(type.phrase), \(resolved.foundPhrase)", resolved)
                return nil
            }
            if let maximum, value > maximum {
                reportValue("out-of-range", "`\(option)` must be \(type.phrase), \(resolved.foundPhrase)", resolved)
                return nil
            }
        }
        return Located(value, at: resolved.range)
    }

    func number(_ node: YAMLNode, option: String, type: OptionType) -> Located<Double>? {
        guard let resolved = scalar(node, option: option, type: type) else { return nil }
        let value: Double
        switch resolved.value {
        case .integer(let integer): value = Double(integer)
        case .number(let number): value = number
        case .string(let text) where Double(text) != nil:
            reportValue("wrong-type", "`\(option)` takes \(type.phrase), \(resolved.foundPhrase)", resolved,
                        help: "write the number without quotes: `\(text)`")
            return nil
        default:
            reportValue("wrong-type", "`\(option)` takes \(type.phrase), \(resolved.foundPhrase)", resolved)
            return nil
        }
        guard value.isFinite else {
            reportValue("out-of-range", "`\(option)` must be a finite number, \(resolved.foundPhrase)", resolved)
            return nil
        }
        if case .number(let minimum, let minimumExclusive, let maximum, let maximumExclusive) = type {
            let belowMinimum = minimum.map { minimumExclusive ? value <= $0 : value < $0 } ?? false
            let aboveMaximum = maximum.map { maximumExclusive ? value >= $0 : value > $0 } ?? false
            if belowMinimum || aboveMaximum {
                let percent = maximum == 1 && value > 1 && value <= 100
                reportValue("out-of-range", "`\(option)` must be \(type.phrase), \(resolved.foundPhrase)", resolved,
                            help: percent ? "a fraction: \(resolved.text)% is `\(OptionType.format(value / 100))`" : nil)
                return nil
            }
        }
        return Located(value, at: resolved.range)
    }

    func boolean(_ node: YAMLNode, option: String) -> Located<Bool>? {
        guard let resolved = scalar(node, option: option, type: .boolean) else { return nil }
        if case .bool(let flag) = resolved.value { return Located(flag, at: resolved.range) }
        var help: String?
        if case .string(let text) = resolved.value {
            switch text.lowercased() {
            case "yes", "on", "y": help = "YAML 1.2 reads `\(text)` as a string; write `true`"
            case "no", "off", "n": help = "YAML 1.2 reads `\(text)` as a string; write `false`"
            default: break
            }
        }
        reportValue("wrong-type", "`\(option)` takes `true` or `false`, \(resolved.foundPhrase)", resolved, help: help)
        return nil
    }

    func string(_ node: YAMLNode, option: String) -> Located<String>? {
        guard let resolved = scalar(node, option: option, type: .string) else { return nil }
        switch resolved.value {
        case .string(let text): return Located(text, at: resolved.range)
        case .null:
            reportValue("wrong-type", "`\(option)` takes a string, found nothing", resolved)
            return nil
        default:
            // A number or boolean where text is expected reads as its text, like `name: 2024`.
            return Located(resolved.text, at: resolved.range)
        }
    }

    /// A name: a letter, then letters, digits, `_`, `-` or `.`.
    func identifier(_ node: YAMLNode, option: String) -> Located<String>? {
        guard let text = string(node, option: option) else { return nil }
        let scalars = text.value.unicodeScalars
        let valid = scalars.first.map { $0.properties.isAlphabetic && $0.isASCII } == true
            && scalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) }
            && scalars.count <= 100
        guard valid else {
            report(.error("invalid-name", "`\(option)` must be a name of ASCII letters, digits, `_`, `-` or `.` starting with a letter (at most 100), found `\(text.value)`",
                          at: text.range, help: ["it names folders and tensors, so it must be safe in a file path"]))
            return nil
        }
        return text
    }

    /// One of a fixed set of names, with did-you-mean.
    func choice(_ node: YAMLNode, option: String, among names: [String], what: String? = nil) -> Located<String>? {
        guard let resolved = scalar(node, option: option, type: .choice(names)) else { return nil }
        guard case .string(let text) = resolved.value, names.contains(text) else {
            let noun = what ?? "value for `\(option)`"
            let message: String
            if case .string(let text) = resolved.value, resolved.reference == nil {
                message = "unknown \(noun) `\(text)`"
            } else {
                message = "`\(option)` takes \(OptionType.choice(names).phrase), \(resolved.foundPhrase)"
            }
            let help = Vocabulary.didYouMean(resolved.text, among: names) ?? "expected \(OptionType.choice(names).phrase)"
            reportValue("unknown-name", message, resolved, help: help)
            return nil
        }
        return Located(text, at: resolved.range)
    }

    /// `3` or `[3, 5]`.
    func size2D(_ node: YAMLNode, option: String) -> Located<Size2D>? {
        if let items = node.items {
            guard items.count == 2 else {
                report(.error("wrong-type", "`\(option)` takes one integer or `[height, width]`, found a list of \(items.count)", at: node.range,
                              help: ["a 2-D window is square (`3`) or `[height, width]`; channels come from the input"]))
                return nil
            }
            guard let height = integer(items[0], option: option, type: .positiveInteger),
                  let width = integer(items[1], option: option, type: .positiveInteger) else { return nil }
            return Located(Size2D(height: height.value, width: width.value), at: node.range)
        }
        guard let side = integer(node, option: option, type: .positiveInteger) else { return nil }
        return Located(Size2D(height: side.value, width: side.value), at: side.range)
    }

    /// A list of items read by `item`; reports a non-list and a list that is too short.
    func list<Item>(_ node: YAMLNode, option: String, type: OptionType, minimumCount: Int, item: (YAMLNode) -> Item?) -> [Item]? {
        guard let items = node.items else {
            report(.error("wrong-type", "`\(option)` takes \(type.phrase), found \(node.kindDescription)", at: node.range,
                          help: ["write a list as `[a, b]` or as `- ` lines"]))
            return nil
        }
        guard items.count >= minimumCount else {
            report(.error("empty-list", "`\(option)` needs at least \(minimumCount) item\(minimumCount == 1 ? "" : "s")", at: node.range))
            return nil
        }
        var values: [Item] = []
        var failed = false
        for itemNode in items {
            if let value = item(itemNode) { values.append(value) } else { failed = true }
        }
        return failed ? nil : values
    }
}
