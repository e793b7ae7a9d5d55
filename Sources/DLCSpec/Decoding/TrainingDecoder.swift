import DLCDiagnostics

extension SpecDecoder {
    func decodeTraining(_ node: YAMLNode) -> TrainingSpec? {
        let options = options(of: node, definitions: Vocabulary.trainingSection, context: "`training`", missingAt: Self.head(of: node))
        guard options.isMapping else { return nil }
        let errorsBefore = diagnostics.count
        func definition(_ name: String) -> OptionType {
            Vocabulary.trainingSection.first { $0.name == name }?.type ?? .positiveInteger
        }
        let epochs = options["epochs"].flatMap { integer($0, option: "epochs", type: definition("epochs")) }
        let batchSize = options["batch_size"].flatMap { integer($0, option: "batch_size", type: definition("batch_size")) }
        let seed = options["seed"].flatMap { integer($0, option: "seed", type: definition("seed")) }
        let clipNorm = options["clip_norm"].flatMap { number($0, option: "clip_norm", type: .positiveNumber) }
        let earlyStopping = options["early_stopping"].flatMap(decodeEarlyStopping)
        let schedule = options["schedule"].flatMap(decodeSchedule)
        guard diagnostics.count == errorsBefore else { return nil }
        return TrainingSpec(
            epochs: epochs,
            batchSize: batchSize ?? Located(32, at: options.pairs["batch_size"]?.value.range ?? Self.head(of: node)),
            seed: seed?.value ?? 0,
            earlyStopping: earlyStopping,
            clipNorm: clipNorm?.value,
            schedule: schedule)
    }

    private func decodeEarlyStopping(_ node: YAMLNode) -> Located<EarlyStoppingSpec>? {
        let options = options(of: node, definitions: Vocabulary.earlyStopping, context: "`early_stopping`", missingAt: Self.head(of: node))
        guard options.isMapping else { return nil }
        let monitor = options["monitor"].flatMap { choice($0, option: "monitor", among: Vocabulary.monitors, what: "monitored value") }
        let patience = options["patience"].flatMap { integer($0, option: "patience", type: .positiveInteger) }
        let minDelta = options["min_delta"].flatMap { number($0, option: "min_delta", type: .nonNegativeNumber) }
        let restoreBest = options["restore_best"].flatMap { boolean($0, option: "restore_best") }
        let spec = EarlyStoppingSpec(
            monitor: monitor ?? Located("val_loss", at: Self.head(of: node)),
            patience: patience?.value ?? 5,
            minDelta: minDelta?.value ?? 0,
            restoreBest: restoreBest?.value ?? false)
        return Located(spec, at: node.range)
    }

    private func decodeSchedule(_ node: YAMLNode) -> Located<ScheduleSpec>? {
        guard let (kind, options, range) = kindWithOptions(node, section: "schedule", kinds: Vocabulary.schedules) else { return nil }
        func number(_ key: String) -> Double? {
            guard let definition = kind.option(key), let node = options[key] else { return nil }
            return self.number(node, option: key, type: definition.type)?.value
        }
        let warmup = options["warmup_epochs"].flatMap { integer($0, option: "warmup_epochs", type: .nonNegativeInteger) }?.value ?? 0
        let scheduleKind: ScheduleSpec.Kind
        switch kind.name {
        case "step":
            let stepSize = options["step_size"].flatMap { integer($0, option: "step_size", type: .positiveInteger) }
            guard let stepSize else { return nil }
            scheduleKind = .step(stepSize: stepSize.value, gamma: number("gamma") ?? 0.1)
        case "exponential":
            guard let gamma = number("gamma") else { return nil }
            scheduleKind = .exponential(gamma: gamma)
        case "cosine":
            scheduleKind = .cosine(minimumLearningRate: number("min_learning_rate") ?? 0)
        default:
            preconditionFailure("internal: schedule `\(kind.name)` has no decoder")
        }
        return Located(ScheduleSpec(kind: scheduleKind, warmupEpochs: warmup), at: range)
    }
}
