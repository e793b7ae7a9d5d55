import DLCDiagnostics

extension SpecDecoder {
    /// The most points a grid may have (and the most trials a sweep may ask for).
    static let maximumSweepPoints = 10_000

    func decodeSweep(_ pair: YAMLPair) -> SweepSpec? {
        let options = options(of: pair.value, definitions: Vocabulary.sweepSection, context: "`sweep`", missingAt: pair.key.range)
        guard options.isMapping else { return nil }
        let errorsBefore = diagnostics.count
        let strategy = options["strategy"].flatMap { choice($0, option: "strategy", among: Vocabulary.sweepStrategies, what: "sweep strategy") }
            .flatMap { SweepSpec.Strategy(rawValue: $0.value) } ?? .grid
        let trials = options["trials"].flatMap { integer($0, option: "trials", type: .integer(minimum: 1, maximum: Self.maximumSweepPoints)) }
        let metric = options["metric"].flatMap { choice($0, option: "metric", among: Vocabulary.sweepMetrics, what: "sweep metric") }
            ?? Located("val_loss", at: pair.key.range)
        let goal = options["goal"].flatMap { choice($0, option: "goal", among: Vocabulary.sweepGoals, what: "goal") }
        let reduction = options["reduction"].flatMap { integer($0, option: "reduction", type: .integer(minimum: 2, maximum: 10)) }
        let dimensions = options["values"].flatMap { decodeSweepValues($0, strategy: strategy) } ?? []
        if strategy != .grid, trials == nil, options["trials"] == nil {
            report(.error("missing-key", "a `\(strategy.rawValue)` sweep needs `trials`", at: options.pairs["strategy"]?.value.range ?? pair.key.range,
                          help: ["add `trials: 20`: how many points to sample"]))
        }
        if strategy == .grid, let node = options.pairs["trials"] {
            report(.warning("unused-option", "a grid sweep tries every combination; `trials` is ignored", at: node.key.range,
                            help: ["remove `trials`, or use `strategy: random`"]))
        }
        if strategy == .grid {
            var points = 1
            for dimension in dimensions {
                if case .list(let values) = dimension.domain { points = min(points * values.count, Int.max / 1_000_000) }
            }
            if points > Self.maximumSweepPoints {
                report(.error("sweep-too-large", "the grid has \(points) combinations, more than \(Self.maximumSweepPoints)",
                              at: pair.key.range, help: ["use `strategy: random` with `trials`, or fewer values"]))
            }
        }
        guard diagnostics.count == errorsBefore || !diagnostics[errorsBefore...].contains(where: { $0.severity == .error }) else { return nil }
        let maximizes = goal.map { $0.value == "maximize" } ?? Vocabulary.maximizedMetrics.contains(where: { metric.value.hasSuffix($0) })
        return SweepSpec(strategy: strategy, trials: trials?.value, metric: metric, maximizes: maximizes,
                         reduction: reduction?.value ?? 3, dimensions: dimensions, range: pair.key.range)
    }

    private func decodeSweepValues(_ node: YAMLNode, strategy: SweepSpec.Strategy) -> [SweepSpec.Dimension]? {
        guard let pairs = node.pairs else {
            report(.error("expected-mapping", "`values` takes a mapping of hyperparameter names to lists or ranges, found \(node.kindDescription)",
                          at: node.range, help: ["for example `values: {neurons: [8, 16, 32]}`"]))
            return nil
        }
        if pairs.isEmpty {
            report(.error("empty-list", "`values` names no hyperparameter to sweep", at: node.range))
            return nil
        }
        var dimensions: [SweepSpec.Dimension] = []
        for pair in pairs {
            guard let name = pair.keyText else { continue }
            guard let hyperparameter = hyperparameters[name] else {
                var diagnostic = Diagnostic.error("unknown-sweep-name", "the sweep varies `\(name)`, which is not under `hyperparameters`",
                                                  at: pair.key.range)
                diagnostic = diagnostic.helping(unknownHyperparameterHelp(name, prefix: "", whenNoneDeclared: "declare it under `hyperparameters:` first"))
                report(diagnostic)
                continue
            }
            usedHyperparameters.insert(hyperparameter.name)
            if let items = pair.value.items {
                guard !items.isEmpty else {
                    report(.error("empty-list", "`\(name)` has no values to try", at: pair.value.range))
                    continue
                }
                var values: [Located<String>] = []
                for item in items {
                    guard let scalar = item.scalar, scalar.value != .null else {
                        report(.error("wrong-type", "sweep values are single numbers, booleans or names, found \(item.kindDescription)", at: item.range))
                        continue
                    }
                    values.append(Located(scalar.text, at: item.range))
                }
                dimensions.append(SweepSpec.Dimension(name: name, nameRange: pair.key.range, domain: .list(values), range: pair.value.range))
            } else if pair.value.pairs != nil {
                if strategy == .grid {
                    report(.error("sweep-range-in-grid", "a grid sweep needs a list of values for `\(name)`, not a range", at: pair.value.range,
                                  help: ["list the values, e.g. `[0.001, 0.01, 0.1]`, or use `strategy: random`"]))
                    continue
                }
                if let domain = decodeSweepRange(pair.value, name: name) {
                    dimensions.append(SweepSpec.Dimension(name: name, nameRange: pair.key.range, domain: domain, range: pair.value.range))
                }
            } else {
                report(.error("wrong-type", "`\(name)` takes a list of values or a range `{min, max}`, found \(pair.value.kindDescription)",
                              at: pair.value.range, help: ["for example `[8, 16, 32]` or `{min: 0.0001, max: 0.1, log: true}`"]))
            }
        }
        return dimensions
    }

    private func decodeSweepRange(_ node: YAMLNode, name: String) -> SweepSpec.Domain? {
        let options = options(of: node, definitions: Vocabulary.sweepRange, context: "the range of `\(name)`", missingAt: Self.head(of: node))
        let anyNumber = OptionType.number(minimum: nil, minimumExclusive: false, maximum: nil, maximumExclusive: false)
        let minimum = options["min"].flatMap { number($0, option: "min", type: anyNumber) }
        let maximum = options["max"].flatMap { number($0, option: "max", type: anyNumber) }
        let log = options["log"].flatMap { boolean($0, option: "log") }?.value ?? false
        let integer = options["integer"].flatMap { boolean($0, option: "integer") }?.value ?? false
        guard let minimum, let maximum else { return nil }
        guard minimum.value < maximum.value else {
            report(.error("out-of-range", "the range of `\(name)` needs `min` below `max`, found \(OptionType.format(minimum.value)) and \(OptionType.format(maximum.value))",
                          at: minimum.range.extended(to: maximum.range)))
            return nil
        }
        if log, minimum.value <= 0 {
            report(.error("out-of-range", "a log range needs `min` above 0, found \(OptionType.format(minimum.value))", at: minimum.range,
                          help: ["use `log: false`, or a positive `min`"]))
            return nil
        }
        return .range(minimum: minimum.value, maximum: maximum.value, log: log, integer: integer)
    }
}
