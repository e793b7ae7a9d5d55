import DLCGraph

/// Watches one value per epoch; stops after `patience` epochs without improvement and can restore
/// the best epoch's weights.
struct EarlyStopping {
    let configuration: EarlyStoppingConfiguration?
    private var best: Double?
    private var bestEpoch: Int?
    private var epochsWithoutImprovement = 0
    private var bestWeights: [[Float]]?

    init(_ configuration: EarlyStoppingConfiguration?) {
        self.configuration = configuration
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
