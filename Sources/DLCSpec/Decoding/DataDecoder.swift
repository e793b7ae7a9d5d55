import DLCDiagnostics

extension SpecDecoder {
    func decodeData(_ pair: YAMLPair) -> DataSpec? {
        let options = options(of: pair.value, definitions: Vocabulary.dataSection, context: "`data`", missingAt: pair.key.range)
        guard options.isMapping else { return nil }
        let train = options["train"].flatMap { node in decodeSource(node, option: "train").map { Located($0, at: node.range) } }
        let validation = options["validation"].flatMap { decodeSplit($0, option: "validation") }
        let test = options["test"].flatMap { decodeSplit($0, option: "test") }
        let normalize = options["normalize"].flatMap { choice($0, option: "normalize", among: Vocabulary.normalizations, what: "normalization") }
        if case .fraction(let a)? = validation?.value, case .fraction(let b)? = test?.value, a + b >= 1, let node = options["test"] {
            report(.error("out-of-range", "`validation` (\(OptionType.format(a))) and `test` (\(OptionType.format(b))) together hold out all of the training examples, leaving none to train on",
                          at: node.range, help: ["keep their sum below 1, e.g. `validation: 0.15` and `test: 0.15`"]))
        }
        var spec = DataSpec(train: train, validation: validation, test: test,
                            normalize: normalize.flatMap { Normalization(rawValue: $0.value) } ?? .none, range: pair.key.range)
        let errorsBefore = diagnostics.count
        decodeColumnOptions(options, into: &spec)
        spec.isComplete = diagnostics.count == errorsBefore && (train != nil || options["train"] == nil)
        return spec
    }

    /// A fraction in (0, 1) of the training examples, or a source of its own.
    private func decodeSplit(_ node: YAMLNode, option: String) -> Located<DataSplitSpec>? {
        if node.scalar != nil {
            let type = OptionType.openUnitInterval
            guard let fraction = number(node, option: option, type: type) else { return nil }
            return Located(.fraction(fraction.value), at: fraction.range)
        }
        return decodeSource(node, option: option).map { Located(.source($0), at: node.range) }
    }

    private func decodeSource(_ node: YAMLNode, option: String) -> DataSourceSpec? {
        let kinds = Vocabulary.dataSources.map(\.name)
        guard let pairs = node.pairs else {
            report(.error("expected-mapping", "`\(option)` takes a data source, found \(node.kindDescription)", at: node.range,
                          help: ["for example `{csv: data/iris.csv, target: label}` or `{builtin: xor}`"]))
            return nil
        }
        let present = pairs.compactMap { $0.keyText }.filter { kinds.contains($0) }
        guard let kindName = present.first, let kind = Vocabulary.dataSources.first(where: { $0.name == kindName }) else {
            if let typo = pairs.first(where: { $0.keyText.flatMap { Vocabulary.didYouMean($0, among: kinds) } != nil }),
               let key = typo.keyText {
                report(.error("unknown-key", "unknown option `\(key)` for a data source", at: typo.key.range,
                              help: [Vocabulary.didYouMean(key, among: kinds) ?? ""]))
                return nil
            }
            let diagnostic = Diagnostic.error("missing-key", "`\(option)` needs one of `csv`, `idx` or `builtin`", at: Self.head(of: node),
                                              help: ["for example `{csv: data/iris.csv, target: label}` or `{builtin: xor}`"])
            report(diagnostic)
            return nil
        }
        if present.count > 1, let second = pairs.first(where: { $0.keyText == present[1] }) {
            report(.error("expected-kind", "a data source is one of `csv`, `idx` or `builtin`, but this one has both `\(present[0])` and `\(present[1])`",
                          at: second.key.range))
            return nil
        }
        let options = options(of: node, definitions: kind.options, context: "a `\(kind.name)` source", missingAt: Self.head(of: node))
        let errorsBefore = diagnostics.count
        let source: DataSourceSpec?
        switch kind.name {
        case "csv":
            let file = options["csv"].flatMap { self.path($0, option: "csv") }
            let target = options["target"].flatMap { columnNames($0, option: "target") }
            let features = options["features"].flatMap { columnNames($0, option: "features", listOnly: true) }
            if let target { checkColumns(target: target, features: features ?? []) }
            if let file, let target { source = .csv(path: file, target: target, features: features) } else { source = nil }
        case "idx":
            source = options["idx"].flatMap(decodeIDXFiles)
        case "builtin":
            let name = options["builtin"].flatMap { choice($0, option: "builtin", among: Vocabulary.builtinDatasets, what: "builtin dataset") }
            let samples = options["samples"].flatMap { integer($0, option: "samples", type: .integer(minimum: 1, maximum: 10_000_000)) }
            let noise = options["noise"].flatMap { number($0, option: "noise", type: .nonNegativeNumber) }
            source = name.map { .builtin(name: $0, samples: samples?.value, noise: noise?.value) }
        default:
            preconditionFailure("internal: data source `\(kind.name)` has no decoder")
        }
        return diagnostics.count == errorsBefore ? source : nil
    }

    /// A column named twice, or both as the target and as a feature, is a spec mistake.
    private func checkColumns(target: [Located<String>], features: [Located<String>]) {
        var seen: [String: SourceRange] = [:]
        for column in target + features {
            if let first = seen[column.value] {
                let isTarget = target.contains { $0.value == column.value }
                let message = isTarget && features.contains(where: { $0.range == column.range })
                    ? "column `\(column.value)` is the target, so it cannot also be a feature"
                    : "column `\(column.value)` is listed twice"
                report(.error("duplicate-column", message, at: column.range,
                              help: [isTarget ? "remove `\(column.value)` from `features`" : "remove one of the two"],
                              notes: [DiagnosticNote("`\(column.value)` is first named here", at: first)]))
            } else {
                seen[column.value] = column.range
            }
        }
    }

    private func decodeIDXFiles(_ node: YAMLNode) -> DataSourceSpec? {
        let options = options(of: node, definitions: Vocabulary.idxFiles, context: "`idx`", missingAt: Self.head(of: node))
        let images = options["images"].flatMap { self.path($0, option: "images") }
        let labels = options["labels"].flatMap { self.path($0, option: "labels") }
        guard let images, let labels else { return nil }
        return .idx(images: images, labels: labels)
    }

    private func path(_ node: YAMLNode, option: String) -> Located<String>? {
        guard let text = string(node, option: option) else { return nil }
        guard !text.value.isEmpty, !text.value.contains("\0") else {
            report(.error("invalid-path", "`\(option)` needs a file path", at: text.range))
            return nil
        }
        return text
    }

    /// One column name, or a list of them.
    private func columnNames(_ node: YAMLNode, option: String, listOnly: Bool = false) -> [Located<String>]? {
        if node.items != nil || listOnly {
            return list(node, option: option, type: .list(.string, minimumCount: 1), minimumCount: 1) { string($0, option: option) }
        }
        return string(node, option: option).map { [$0] }
    }
}
