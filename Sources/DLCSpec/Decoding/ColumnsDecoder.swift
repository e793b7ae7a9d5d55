import DLCDiagnostics

extension SpecDecoder {
    /// `columns`, `missing`, `missing_values`, `missing_indicator` and `missing_target` of `data`.
    func decodeColumnOptions(_ options: OptionPairs, into spec: inout DataSpec) {
        if let node = options["columns"] { spec.columns = decodeColumns(node) }
        spec.missing = options["missing"].flatMap { policy($0, option: "missing") }
        if let node = options["missing_values"],
           let values = list(node, option: "missing_values", type: .list(.string, minimumCount: 1), minimumCount: 1, item: { string($0, option: "missing_values") }) {
            spec.missingValues = Located(values.map(\.value), at: node.range)
        }
        spec.missingIndicator = options["missing_indicator"].flatMap { boolean($0, option: "missing_indicator") }
        if let node = options["missing_target"], let choice = choice(node, option: "missing_target", among: ["error", "drop"]) {
            spec.dropsMissingTarget = choice.value == "drop"
        }
    }

    /// `columns: {NAME: TYPE, ...}`; a column named twice is an error at the second.
    private func decodeColumns(_ node: YAMLNode) -> [ColumnSpec] {
        guard let pairs = node.pairs else {
            report(.error("expected-mapping", "`columns` takes a mapping of column names to types, found \(node.kindDescription)", at: node.range,
                          help: ["for example `columns: {island: category, sex: category}`"]))
            return []
        }
        var columns: [ColumnSpec] = []
        var seen: [String: SourceRange] = [:]
        for pair in pairs {
            guard let name = pair.keyText else { continue }
            if let first = seen[name] {
                report(.error("duplicate-column", "column `\(name)` is listed twice in `columns`", at: pair.key.range,
                              help: ["remove one of the two"], notes: [DiagnosticNote("`\(name)` is first listed here", at: first)]))
                continue
            }
            seen[name] = pair.key.range
            if pair.value.scalar?.value == .null {
                report(.error("missing-value", "column `\(name)` needs a type", at: pair.key.range,
                              help: ["write `\(name): category`, `\(name): number`, `\(name): {category: {embedding: 8}}` or `\(name): {text: {tokens: characters, length: 32}}`"]))
                continue
            }
            guard let (kind, options, kindRange) = kindWithOptions(pair.value, section: "columns.\(name)", kinds: Vocabulary.columnKinds) else { continue }
            switch kind.name {
            case "number":
                let missing = options["missing"].flatMap { policy($0, option: "missing")?.value }
                let indicator = options["missing_indicator"].flatMap { boolean($0, option: "missing_indicator")?.value }
                columns.append(ColumnSpec(name: Located(name, at: pair.key.range), kind: .number(missing: missing, indicator: indicator), kindRange: kindRange))
            case "category":
                let embedding = options["embedding"].flatMap { integer($0, option: "embedding", type: .integer(minimum: 1, maximum: 4096)) }
                columns.append(ColumnSpec(name: Located(name, at: pair.key.range), kind: .category(embedding: embedding), kindRange: kindRange))
            case "text":
                let tokens = options["tokens"].flatMap { choice($0, option: "tokens", among: TextColumnSpec.Tokens.allCases.map(\.rawValue), what: "tokenizer") }
                let length = options["length"].flatMap { integer($0, option: "length", type: .integer(minimum: 1, maximum: 65_536)) }
                let vocabulary = options["vocabulary"].flatMap { integer($0, option: "vocabulary", type: .integer(minimum: 3, maximum: 1 << 24)) }
                let lowercase = options["lowercase"].flatMap { boolean($0, option: "lowercase") }
                guard let length else { continue }
                if options["tokens"] != nil, tokens == nil { continue }
                if options["vocabulary"] != nil, vocabulary == nil { continue }
                let text = TextColumnSpec(tokens: tokens.flatMap { TextColumnSpec.Tokens(rawValue: $0.value) } ?? .characters, length: length.value,
                                          vocabulary: vocabulary?.value, lowercase: lowercase?.value ?? true)
                columns.append(ColumnSpec(name: Located(name, at: pair.key.range), kind: .text(text), kindRange: kindRange))
            default:
                preconditionFailure("internal: column type `\(kind.name)` has no decoder")
            }
        }
        return columns
    }

    private func policy(_ node: YAMLNode, option: String) -> Located<MissingCellPolicy>? {
        guard let name = choice(node, option: option, among: Vocabulary.missingPolicies, what: "missing-value policy") else { return nil }
        return MissingCellPolicy(rawValue: name.value).map { Located($0, at: name.range) }
    }
}
