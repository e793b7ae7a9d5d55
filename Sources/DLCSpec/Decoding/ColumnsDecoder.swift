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
                              help: ["write `\(name): category`, `\(name): number` or `\(name): {category: {embedding: 8}}`"]))
                continue
            }
            if let text = textColumn(pair.value) {
                report(.error("unsupported-column-type", "`text` columns are not supported yet: dlc has no sequence layers to read token ids",
                              at: text, help: ["encode `\(name)` as `category`, or leave it out with `features:`"]))
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
            default:
                preconditionFailure("internal: column type `\(kind.name)` has no decoder")
            }
        }
        return columns
    }

    /// The range of `text` when the type is `text` or `{text: ...}`.
    private func textColumn(_ node: YAMLNode) -> SourceRange? {
        if node.scalar?.text == "text" { return node.range }
        if let pairs = node.pairs, pairs.count == 1, let pair = pairs.first, pair.keyText == "text" { return pair.key.range }
        return nil
    }

    private func policy(_ node: YAMLNode, option: String) -> Located<MissingCellPolicy>? {
        guard let name = choice(node, option: option, among: Vocabulary.missingPolicies, what: "missing-value policy") else { return nil }
        return MissingCellPolicy(rawValue: name.value).map { Located($0, at: name.range) }
    }
}
