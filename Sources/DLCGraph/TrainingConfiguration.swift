/// How a compiled model is trained: the runtime's view of the spec's `optimizer` and `training`.
///
/// The runtime never sees YAML or the spec AST; the compiler fills these in.
public struct TrainingConfiguration: Sendable, Hashable {
    public var optimizer: OptimizerConfiguration
    public var schedule: ScheduleConfiguration?
    /// Clip gradients to this global L2 norm before each step.
    public var clipNorm: Float?
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    public var earlyStopping: EarlyStoppingConfiguration?

    public init(optimizer: OptimizerConfiguration, schedule: ScheduleConfiguration? = nil, clipNorm: Float? = nil,
                epochs: Int, batchSize: Int, seed: UInt64, earlyStopping: EarlyStoppingConfiguration? = nil) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.clipNorm = clipNorm
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.earlyStopping = earlyStopping
    }
}

/// An optimizer with PyTorch's update rules; unused fields are ignored by the other kinds.
public struct OptimizerConfiguration: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case sgd, adam, adamw, rmsprop
    }

    public var kind: Kind
    public var learningRate: Float
    /// sgd and rmsprop.
    public var momentum: Float = 0
    /// sgd.
    public var nesterov = false
    /// adam and adamw.
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    /// adam, adamw and rmsprop.
    public var epsilon: Float = 1e-8
    /// L2 penalty added to the gradient (sgd, adam, rmsprop) or decoupled decay (adamw).
    public var weightDecay: Float = 0
    /// rmsprop's smoothing constant (PyTorch's `alpha`).
    public var rho: Float = 0.99
    /// rmsprop.
    public var centered = false

    public init(kind: Kind, learningRate: Float) {
        self.kind = kind
        self.learningRate = learningRate
    }
}

/// A learning-rate schedule, evaluated once per epoch (0-based), with optional linear warmup.
public struct ScheduleConfiguration: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// rate * gamma^floor(epoch / stepSize)
        case step(stepSize: Int, gamma: Float)
        /// rate * gamma^epoch
        case exponential(gamma: Float)
        /// minimum + (rate - minimum) * (1 + cos(pi * epoch / epochs)) / 2
        case cosine(minimumLearningRate: Float)
    }

    public var kind: Kind
    /// During the first `warmupEpochs` epochs the rate rises linearly: rate * (epoch + 1) / (warmupEpochs + 1).
    public var warmupEpochs: Int

    public init(kind: Kind, warmupEpochs: Int) {
        self.kind = kind
        self.warmupEpochs = warmupEpochs
    }
}

public struct EarlyStoppingConfiguration: Sendable, Hashable {
    /// `val_loss`, `val_accuracy`, `train_loss`, ...
    public var monitor: String
    public var patience: Int
    public var minimumDelta: Float
    public var restoreBest: Bool

    public init(monitor: String, patience: Int, minimumDelta: Float, restoreBest: Bool) {
        self.monitor = monitor
        self.patience = patience
        self.minimumDelta = minimumDelta
        self.restoreBest = restoreBest
    }

    /// Whether a larger value is better (accuracy) or a smaller one (losses and errors).
    public var maximizes: Bool { ["accuracy", "precision", "recall", "f1", "auc"].contains { monitor.hasSuffix($0) } }
}
