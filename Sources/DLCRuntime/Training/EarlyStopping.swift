import DLCGraph

/// Watches one value per epoch; stops after `patience` epochs without improvement and can restore
/// the best epoch's weights.
public struct EarlyStopping: Sendable {
    /// What it has seen so far (without the best weights, which a training state keeps as tensors).
    public struct State: Sendable, Codable, Hashable {
        public var best: Double?
        public var bestEpoch: Int?
        public var epochsWithoutImprovement = 0
    }

    let configuration: EarlyStoppingConfiguration?
    private(set) var state = State()
    private(set) var bestWeights: [[Float]]?
    private var best: Double? { get { state.best } set { state.best = newValue } }
    private var bestEpoch: Int? { get { state.bestEpoch } set { state.bestEpoch = newValue } }
    private var epochsWithoutImprovement: Int {
        get { state.epochsWithoutImprovement }
        set { state.epochsWithoutImprovement = newValue }
    }

    init(_ configuration: EarlyStoppingConfiguration?) {
        self.configuration = configuration
    }

    /// Early stopping as a saved training state left it.
    init(_ configuration: EarlyStoppingConfiguration?, state: State, bestWeights: [[Float]]?) {
        self.configuration = configuration
        self.state = state
        self.bestWeights = bestWeights
    }

    /// Records an epoch; true when training should stop.
    mutating func update(_ report: EpochReport, parameters: ParameterStore) -> Bool {
        guard let configuration, let value = Self.value(configuration.monitor, in: report) else { return false }
        let delta = Double(configuration.minimumDelta)
        let improved: Bool
        if let best {
            improved = configuration.maximizes ? value > best + delta : value < best - delta
        } else {
            improved = true
        }
        if improved {
            best = value
            bestEpoch = report.epoch
            epochsWithoutImprovement = 0
            if configuration.restoreBest { bestWeights = parameters.snapshot() }
            return false
        }
        epochsWithoutImprovement += 1
        return epochsWithoutImprovement >= configuration.patience
    }

    /// Restores the best weights when asked; the epoch the model now holds (nil: the last).
    mutating func finish(parameters: ParameterStore) -> Int? {
        guard let configuration, configuration.restoreBest, let bestWeights else { return nil }
        parameters.restore(bestWeights)
        return bestEpoch
    }

    /// `val_loss` -> the validation loss, `train_accuracy` -> the training accuracy, ...
    static func value(_ monitor: String, in report: EpochReport) -> Double? {
        let parts = monitor.split(separator: "_", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let evaluation = parts[0] == "val" ? report.validation : report.train
        return evaluation?.value(parts[1])
    }
}
