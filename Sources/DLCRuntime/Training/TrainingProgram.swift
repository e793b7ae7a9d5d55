import DLCGraph

/// Everything the runtime needs to train a model, made by the compiler: the configuration, the
/// metrics and a way to plan the graphs for any batch size.
public struct TrainingProgram: Sendable {
    public var name: String
    public var configuration: TrainingConfiguration
    /// `accuracy`, `mae`, `mse`, `rmse`.
    public var metrics: [String]
    public var parameters: [ParameterInfo]
    /// The fused training graph (forward, loss, gradients) and its buffer plan, for a batch size.
    public var makeTrainingPlan: @Sendable (Int) -> (Graph, BufferPlan)
    /// The fused evaluation graph (forward, loss, no dropout) and its plan, for a batch size.
    public var makeEvaluationPlan: @Sendable (Int) -> (Graph, BufferPlan)
    /// The inference graph (forward only, no dropout) and its plan, for a batch size.
    public var makeInferencePlan: @Sendable (Int) -> (Graph, BufferPlan)

    public init(name: String, configuration: TrainingConfiguration, metrics: [String], parameters: [ParameterInfo],
                makeTrainingPlan: @escaping @Sendable (Int) -> (Graph, BufferPlan),
                makeEvaluationPlan: @escaping @Sendable (Int) -> (Graph, BufferPlan),
                makeInferencePlan: @escaping @Sendable (Int) -> (Graph, BufferPlan)) {
        self.name = name
        self.configuration = configuration
        self.metrics = metrics
        self.parameters = parameters
        self.makeTrainingPlan = makeTrainingPlan
        self.makeEvaluationPlan = makeEvaluationPlan
        self.makeInferencePlan = makeInferencePlan
    }
}

/// What one epoch measured.
public struct EpochReport: Sendable, Codable, Hashable {
    /// 1-based.
    public var epoch: Int
    public var learningRate: Float
    public var train: Evaluation
    public var validation: Evaluation?
    public var seconds: Double
    public var samplesPerSecond: Double
}

/// A loss and metrics over a dataset.
public struct Evaluation: Sendable, Hashable, Codable {
    public var loss: Double
    /// By metric name: `accuracy`, `mae`, `mse`, `rmse`.
    public var metrics: [String: Double]
    /// A classifier's confusion matrix, `confusion[true class][predicted class]`; nil for a regression.
    public var confusion: [[Int]]?

    public init(loss: Double, metrics: [String: Double]) {
        self.loss = loss
        self.metrics = metrics
    }

    /// `loss` or a metric by name.
    public func value(_ name: String) -> Double? {
        name == "loss" ? loss : metrics[name]
    }
}

/// Progress within an epoch, for live bars.
public struct StepReport: Sendable {
    public var epoch: Int
    public var step: Int
    public var steps: Int
    public var loss: Float
    public var samplesPerSecond: Double
}

/// Why training stopped with an error.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, step: Int, loss: Float)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let step, let loss):
            return "the loss became \(loss) at epoch \(epoch), step \(step)"
        }
    }
}

/// How `fit` ended.
public enum FitOutcome: String, Sendable {
    case completed
    case stoppedEarly = "stopped_early"
    case interrupted
}

public struct FitResult: Sendable {
    public var outcome: FitOutcome
    public var epochs: [EpochReport]
    /// 1-based epoch whose weights the model holds at the end.
    public var bestEpoch: Int?
    public var seconds: Double
}
