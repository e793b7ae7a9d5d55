import DLCDiagnostics

/// The names of the spec language, version 1: one registry for the checker, the schema and the docs.
public enum Vocabulary {
    public static let activations = ["linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "gelu", "silu"]
    public static let initializers = ["he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "lecun_normal", "zeros"]
    public static let paddings = ["valid", "same"]
    public static let normalizations = ["none", "standard", "minmax"]
    public static let builtinDatasets = ["xor", "spirals", "moons", "circles", "sine"]
    public static let metrics = ["accuracy", "precision", "recall", "f1", "auc", "mae", "mse", "rmse"]
    public static let monitors = ["val_loss"] + metrics.map { "val_" + $0 } + ["train_loss"] + metrics.map { "train_" + $0 }
    /// The metrics where a larger value is better.
    public static let maximizedMetrics: Set<String> = ["accuracy", "precision", "recall", "f1", "auc"]

    /// The top-level keys, in the order the docs list them.
    public static let topLevel: [OptionDefinition] = [
        OptionDefinition("name", .identifier, required: true, "identifier of the model, used for run folders"),
        OptionDefinition("description", .string, "free text"),
        OptionDefinition("hyperparameters", .section("a mapping of names to values"), "mapping of name to scalar, referenced as `$name`"),
        OptionDefinition("data", .section("a mapping with `train`"), "where examples come from (needed by `dlc run`)"),
        OptionDefinition("model", .section("a mapping with `input` and `layers`"), required: true, "`input` shape and `layers`"),
        OptionDefinition("loss", .choice(losses.map(\.name)), required: true, "the loss to minimize"),
        OptionDefinition("optimizer", .choice(optimizers.map(\.name)), required: true, "the optimizer and its options"),
        OptionDefinition("training", .section("a mapping with `epochs`"), "epochs, batch size, seed, early stopping (needed by `dlc run`)"),
        OptionDefinition("metrics", .list(.choice(metrics), minimumCount: 0), "metrics reported besides the loss"),
        OptionDefinition("sweep", .section("a mapping with `values`"), "hyperparameter search for `dlc sweep`"),
    ]

    public static let sweepStrategies = ["grid", "random", "halving"]
    public static let sweepGoals = ["maximize", "minimize"]
    /// What a sweep can rank trials by: the final metrics of `summary.json`.
    public static let sweepMetrics = ["val", "train", "test"].flatMap { split in
        (["loss"] + metrics).map { "\(split)_\($0)" }
    }

    public static let sweepSection: [OptionDefinition] = [
        OptionDefinition("strategy", .choice(sweepStrategies), default: "grid",
                         "`grid` tries every combination; `random` samples `trials` points; `halving` gives many trials a few epochs and continues the best"),
        OptionDefinition("trials", .integer(minimum: 1, maximum: 10_000), "points to sample (random and halving)"),
        OptionDefinition("metric", .choice(sweepMetrics), default: "val_loss", "the final value trials are ranked by"),
        OptionDefinition("goal", .choice(sweepGoals), "whether a larger metric is better (default: maximize for accuracy, minimize otherwise)"),
        OptionDefinition("reduction", .integer(minimum: 2, maximum: 10), default: "3", "halving: keep 1 in this many trials per round"),
        OptionDefinition("values", .section("a mapping of hyperparameter names to lists or ranges"), required: true,
                         "the values to try for each hyperparameter"),
    ]

    public static let sweepRange: [OptionDefinition] = [
        OptionDefinition("min", .string, required: true, "the smallest value"),
        OptionDefinition("max", .string, required: true, "the largest value"),
        OptionDefinition("log", .boolean, default: "false", "sample uniformly in log space"),
        OptionDefinition("integer", .boolean, default: "false", "round samples to whole numbers"),
    ]

    static let activationOption = OptionDefinition("activation", .choice(activations), default: "linear", "activation applied to the output")
    static let biasOption = OptionDefinition("use_bias", .boolean, default: "true", "whether the layer adds a bias")
    static let initOption = OptionDefinition("init", .choice(initializers),
                                             "weight initializer (default: He for relu-like activations, Glorot otherwise), or `{checkpoint: PATH}` to start from a trained layer's weights")
    /// `init` on layers whose parameters have fixed starting values (normalization): only a checkpoint.
    static let checkpointInitOption = OptionDefinition("init", .section("a mapping `{checkpoint: PATH}`"),
                                                       "`{checkpoint: PATH}`: start from a trained layer's parameters")

    /// `init: {checkpoint: PATH, layer: NAME}`, on the model or on a layer.
    public static let checkpointInit: [OptionDefinition] = [
        OptionDefinition("checkpoint", .path, required: true, "a `model.safetensors` from `dlc run`, relative to the spec's folder"),
        OptionDefinition("layer", .identifier, "on a layer: the checkpoint's layer to take the weights from (default: this layer's name)"),
    ]
    static let poolOptions = [
        OptionDefinition("size", .size2D, default: "2", "window height and width"),
        OptionDefinition("stride", .size2D, "step between windows (default: the size)"),
        OptionDefinition("padding", .choice(paddings), default: "valid", "`valid` drops partial windows; `same` keeps ceil(input / stride)"),
    ]

    /// Every layer kind of version 1. Every kind also takes `name`.
    public static let layers: [KindDefinition] = [
        KindDefinition("dense", "fully connected: [in] -> [units]", options: [
            OptionDefinition("units", .positiveInteger, required: true, "number of outputs"),
            activationOption, biasOption, initOption,
        ]),
        KindDefinition("dropout", "zeroes a fraction of inputs in training, scaling the rest", options: [
            OptionDefinition("rate", .unitIntervalOpenTop, required: true, "fraction of inputs to drop"),
        ]),
        KindDefinition("relu", "max(x, 0)"),
        KindDefinition("sigmoid", "1 / (1 + exp(-x))"),
        KindDefinition("tanh", "hyperbolic tangent"),
        KindDefinition("softmax", "exp(x) / sum(exp(x)) over the last axis"),
        KindDefinition("leaky_relu", "x if x > 0, else negative_slope * x", options: [
            OptionDefinition("negative_slope", .nonNegativeNumber, default: "0.01", "slope for negative inputs"),
        ]),
        KindDefinition("elu", "x if x > 0, else alpha * (exp(x) - 1)", options: [
            OptionDefinition("alpha", .positiveNumber, default: "1.0", "scale for negative inputs"),
        ]),
        KindDefinition("gelu", "x * Phi(x), the Gaussian error linear unit"),
        KindDefinition("silu", "x * sigmoid(x)"),
        KindDefinition("flatten", "[d1, d2, ...] -> [d1 * d2 * ...]"),
        KindDefinition("conv2d", "2-D convolution: [height, width, channels] -> [height', width', filters]", options: [
            OptionDefinition("filters", .positiveInteger, required: true, "number of output channels"),
            OptionDefinition("kernel", .size2D, required: true, "kernel height and width"),
            OptionDefinition("stride", .size2D, default: "1", "step between kernel positions"),
            OptionDefinition("padding", .choice(paddings), default: "valid", "`valid` (no padding) or `same` (output = ceil(input / stride))"),
            activationOption, biasOption, initOption,
        ]),
        KindDefinition("maxpool2d", "maximum over windows: [height, width, channels] -> [height', width', channels]", options: poolOptions),
        KindDefinition("avgpool2d", "mean over windows: [height, width, channels] -> [height', width', channels]", options: poolOptions),
        KindDefinition("batchnorm", "normalizes each channel (last axis) with batch statistics", options: [
            OptionDefinition("momentum", .openUnitInterval, default: "0.1", "weight of the new batch in the running statistics (PyTorch's convention)"),
            OptionDefinition("epsilon", .positiveNumber, default: "1e-5", "added to the variance"),
            OptionDefinition("sync", .boolean, default: "false",
                             "in data-parallel training (mpirun), normalize with the whole batch's statistics, summed over the ranks, instead of each rank's part's"),
            checkpointInitOption,
        ]),
        KindDefinition("reshape", "same elements, new shape", options: [
            OptionDefinition("shape", .list(.integer(minimum: -1, maximum: nil), minimumCount: 1), required: true,
                             "the new shape without the batch dimension; one entry may be -1"),
        ]),
        KindDefinition("add", "elementwise sum of two or more inputs of one shape", options: [mergeInputs]),
        KindDefinition("multiply", "elementwise product of two or more inputs of one shape", options: [mergeInputs]),
        KindDefinition("concat", "inputs side by side along an axis; the other axes must agree", options: [
            mergeInputs,
            OptionDefinition("axis", .integer(minimum: -64, maximum: 64), default: "-1",
                             "the axis of one example to join along (0 is the first; -1, the last: features or channels)"),
        ]),
        KindDefinition("global_avgpool", "mean over every axis but the last: [height, width, channels] -> [channels]"),
        KindDefinition("global_maxpool", "maximum over every axis but the last: [height, width, channels] -> [channels]"),
        KindDefinition("layernorm", "normalizes the last axis of each example, with a learned scale and offset", options: [
            OptionDefinition("epsilon", .positiveNumber, default: "1e-5", "added to the variance"),
            checkpointInitOption,
        ]),
        KindDefinition("embedding", "token ids [steps] -> [steps, dim]: a learned vector per token (id 0, padding, gives zeros)", options: [
            OptionDefinition("dim", .positiveInteger, required: true, "the width of each token's vector"),
            OptionDefinition("vocabulary", .integer(minimum: 2, maximum: 1 << 24), "the number of ids (default: the text column's vocabulary)"),
            checkpointInitOption,
        ]),
        KindDefinition("conv1d", "1-D convolution over steps: [steps, channels] -> [steps', filters]", options: [
            OptionDefinition("filters", .positiveInteger, required: true, "number of output channels"),
            OptionDefinition("kernel", .positiveInteger, required: true, "kernel length in steps"),
            OptionDefinition("stride", .positiveInteger, default: "1", "step between kernel positions"),
            OptionDefinition("padding", .choice(paddings), default: "valid", "`valid` (no padding) or `same` (output = ceil(steps / stride))"),
            activationOption, biasOption, initOption,
        ]),
        KindDefinition("maxpool1d", "maximum over windows of steps: [steps, channels] -> [steps', channels]", options: pool1DOptions),
        KindDefinition("avgpool1d", "mean over windows of steps: [steps, channels] -> [steps', channels]", options: pool1DOptions),
        KindDefinition("lstm", "long short-term memory over [steps, features] (PyTorch's gates i, f, g, o), stopping at each example's length",
                       options: recurrentOptions),
        KindDefinition("gru", "gated recurrent unit over [steps, features] (PyTorch's gates r, z, n), stopping at each example's length",
                       options: recurrentOptions),
        KindDefinition("attention", "multi-head self-attention over [steps, dim] (PyTorch's nn.MultiheadAttention); padded steps are masked", options: [
            OptionDefinition("heads", .positiveInteger, required: true, "attention heads; `dim` must be a multiple of it"),
            OptionDefinition("causal", .boolean, default: "false", "each step attends only to itself and the steps before it"),
            checkpointInitOption,
        ]),
        KindDefinition("positional_embedding", "adds a learned vector per step position: [steps, dim] -> [steps, dim]", options: [
            checkpointInitOption,
        ]),
    ]

    static let pool1DOptions = [
        OptionDefinition("size", .positiveInteger, default: "2", "window length in steps"),
        OptionDefinition("stride", .positiveInteger, "step between windows (default: the size)"),
        OptionDefinition("padding", .choice(paddings), default: "valid", "`valid` drops partial windows; `same` keeps ceil(steps / stride)"),
    ]

    static let recurrentOptions = [
        OptionDefinition("units", .positiveInteger, required: true, "the size of the hidden state"),
        OptionDefinition("return_sequences", .boolean, default: "false", "output every step's state [steps, units] instead of the last [units]"),
        OptionDefinition("bidirectional", .boolean, default: "false", "add a direction from the last step back; the outputs are concatenated (2 x units)"),
        checkpointInitOption,
    ]

    /// A merge layer's inputs: two or more layer names (`input` is the model's input).
    static let mergeInputs = OptionDefinition("from", .list(.identifier, minimumCount: 2), required: true,
                                              "the layers to merge, by name (`input` is the model's input)")

    /// The names a layer list item may carry besides its kind's options.
    public static let layerExtraKeys = ["name", "from", "trainable"]

    public static let losses: [KindDefinition] = [
        KindDefinition("mse", "mean squared error"),
        KindDefinition("mae", "mean absolute error"),
        KindDefinition("cross_entropy", "categorical cross-entropy over classes (softmax or logits output)", options: [
            OptionDefinition("label_smoothing", .unitIntervalOpenTop, default: "0", "mass spread uniformly over the classes"),
            classWeights,
        ]),
        KindDefinition("binary_cross_entropy", "cross-entropy of one sigmoid or logit output", options: [classWeights]),
    ]

    /// `class_weights: balanced` weights each example by `n / (classes * count of its class)` in the training split.
    static let classWeights = OptionDefinition("class_weights", .choice(["none", "balanced"]), default: "none",
                                               "`balanced` weights each example by n / (classes x its class's count) in the training split")

    static func learningRate(_ value: String) -> OptionDefinition {
        OptionDefinition("learning_rate", .positiveNumber, default: value, "step size")
    }

    static func weightDecay(_ value: String) -> OptionDefinition {
        OptionDefinition("weight_decay", .nonNegativeNumber, default: value, "L2 penalty (decoupled for adamw)")
    }

    /// Optimizers, with PyTorch's defaults.
    public static let optimizers: [KindDefinition] = [
        KindDefinition("sgd", "stochastic gradient descent", options: [
            learningRate("0.01"),
            OptionDefinition("momentum", .unitIntervalOpenTop, default: "0", "momentum factor"),
            OptionDefinition("nesterov", .boolean, default: "false", "Nesterov momentum"),
            weightDecay("0"),
        ]),
        KindDefinition("adam", "Adam", options: adamOptions(weightDecay: "0")),
        KindDefinition("adamw", "Adam with decoupled weight decay", options: adamOptions(weightDecay: "0.01")),
        KindDefinition("rmsprop", "RMSprop", options: [
            learningRate("0.01"),
            OptionDefinition("rho", .unitIntervalOpenTop, default: "0.99", "decay of the squared-gradient average (PyTorch's alpha)"),
            OptionDefinition("epsilon", .positiveNumber, default: "1e-8", "added to the denominator"),
            OptionDefinition("momentum", .unitIntervalOpenTop, default: "0", "momentum factor"),
            OptionDefinition("centered", .boolean, default: "false", "normalize by the gradient's variance"),
            weightDecay("0"),
        ]),
    ]

    static func adamOptions(weightDecay decay: String) -> [OptionDefinition] {
        [
            learningRate("0.001"),
            OptionDefinition("beta1", .unitIntervalOpenTop, default: "0.9", "decay of the gradient average"),
            OptionDefinition("beta2", .unitIntervalOpenTop, default: "0.999", "decay of the squared-gradient average"),
            OptionDefinition("epsilon", .positiveNumber, default: "1e-8", "added to the denominator"),
            weightDecay(decay),
        ]
    }

    static let warmup = OptionDefinition("warmup_epochs", .nonNegativeInteger, default: "0", "epochs of linear warmup from 0")

    /// Learning-rate schedules for `training.schedule`.
    public static let schedules: [KindDefinition] = [
        KindDefinition("step", "multiply the rate by gamma every step_size epochs", options: [
            OptionDefinition("step_size", .positiveInteger, required: true, "epochs between decays"),
            OptionDefinition("gamma", .number(minimum: 0, minimumExclusive: true, maximum: 1, maximumExclusive: false), default: "0.1", "decay factor"),
            warmup,
        ]),
        KindDefinition("exponential", "multiply the rate by gamma every epoch", options: [
            OptionDefinition("gamma", .number(minimum: 0, minimumExclusive: true, maximum: 1, maximumExclusive: false), required: true, "decay factor"),
            warmup,
        ]),
        KindDefinition("cosine", "cosine annealing to min_learning_rate over the epochs", options: [
            OptionDefinition("min_learning_rate", .nonNegativeNumber, default: "0", "final rate"),
            warmup,
        ]),
    ]

    public static let dataSection: [OptionDefinition] = [
        OptionDefinition("train", .section("a data source"), required: true, "the training source"),
        OptionDefinition("validation", .section("a data source or a fraction"), "a source, or a fraction in (0, 1) of the training examples"),
        OptionDefinition("test", .section("a data source or a fraction"), "a source, or a fraction in (0, 1) of the training examples"),
        OptionDefinition("normalize", .choice(normalizations), default: "none", "feature scaling fitted on the training split (number columns only)"),
        OptionDefinition("columns", .section("a mapping of column names to types"), "how feature columns are encoded: `number` (the default), `category` or `{category: {embedding: N}}`"),
        OptionDefinition("missing", .choice(missingPolicies), default: "error", "how number columns fill a missing cell, from the training split"),
        OptionDefinition("missing_values", .list(.string, minimumCount: 1), default: "[NA, N/A, NaN, null]", "the spellings of a missing cell besides the empty one, compared ignoring case"),
        OptionDefinition("missing_indicator", .boolean, default: "false", "add a 0/1 feature per number column with missing cells in the training split"),
        OptionDefinition("missing_target", .choice(["error", "drop"]), default: "error", "what a row whose target is missing does"),
    ]

    /// How a number column's missing cells are filled.
    public static let missingPolicies = ["error", "mean", "median", "zero"]

    /// The types of a `data.columns` entry.
    public static let columnKinds: [KindDefinition] = [
        KindDefinition("number", "numbers, scaled by `normalize`", options: [
            OptionDefinition("missing", .choice(missingPolicies), "this column's fill for a missing cell (default: `data.missing`)"),
            OptionDefinition("missing_indicator", .boolean, "this column's 0/1 missing feature (default: `data.missing_indicator`)"),
        ]),
        KindDefinition("category", "categories: one-hot over the training split's values, or a learned embedding", options: [
            OptionDefinition("embedding", .integer(minimum: 1, maximum: 4096), "the width of a learned embedding instead of one-hot"),
        ]),
        KindDefinition("text", "text as token ids `[length]` for sequence layers (id 0 pads, 1 is unknown); the vocabulary comes from the training split", options: [
            OptionDefinition("tokens", .choice(["characters", "words"]), default: "characters",
                             "`characters`: each Unicode scalar after NFC; `words`: the runs between whitespace and punctuation"),
            OptionDefinition("length", .integer(minimum: 1, maximum: 65_536), required: true, "ids per example: shorter texts are padded, longer ones cut"),
            OptionDefinition("vocabulary", .integer(minimum: 3, maximum: 1 << 24),
                             "the most ids, padding and unknown included: the most frequent training tokens are kept (default: all)"),
            OptionDefinition("lowercase", .boolean, default: "true", "lowercase the text before tokenizing"),
        ]),
    ]

    /// Data sources: the key that names the kind, with its sibling options.
    public static let dataSources: [KindDefinition] = [
        KindDefinition("csv", "a CSV file with a header row", options: [
            OptionDefinition("csv", .path, required: true, "the file, relative to the spec's folder"),
            OptionDefinition("target", .nameOrNames, required: true, "the label column (or the value columns of a regression)"),
            OptionDefinition("features", .list(.string, minimumCount: 1), "the feature columns (default: every other column)"),
        ]),
        KindDefinition("idx", "the MNIST IDX format, optionally gzip-compressed", options: [
            OptionDefinition("idx", .section("a mapping with `images` and `labels`"), required: true, "a mapping with `images` and `labels` paths"),
        ]),
        KindDefinition("builtin", "a seeded synthetic set", options: [
            OptionDefinition("builtin", .choice(builtinDatasets), required: true, "which set"),
            OptionDefinition("samples", .integer(minimum: 1, maximum: 10_000_000), "number of examples (xor: 4, others: 200)"),
            OptionDefinition("noise", .nonNegativeNumber, default: "0", "standard deviation of Gaussian noise on the features"),
        ]),
    ]

    public static let idxFiles: [OptionDefinition] = [
        OptionDefinition("images", .path, required: true, "the images file"),
        OptionDefinition("labels", .path, required: true, "the labels file"),
    ]

    public static let modelSection: [OptionDefinition] = [
        OptionDefinition("input", .list(.positiveInteger, minimumCount: 1), "shape of one example, without the batch dimension (default: what the data gives)"),
        OptionDefinition("layers", .section("a list of layers"), required: true, "the layers, in order"),
        OptionDefinition("init", .section("a mapping `{checkpoint: PATH}`"),
                         "start from a trained model: every parameter whose layer name and shape match takes the checkpoint's values"),
    ]

    public static let trainingSection: [OptionDefinition] = [
        OptionDefinition("epochs", .integer(minimum: 1, maximum: 1_000_000), required: true, "passes over the training data"),
        OptionDefinition("batch_size", .integer(minimum: 1, maximum: 1_000_000), default: "32", "examples per step"),
        OptionDefinition("seed", .integer(minimum: 0, maximum: nil), default: "0", "seed of initialization, shuffling and dropout"),
        OptionDefinition("early_stopping", .section("a mapping"), "stop when a monitored value stops improving"),
        OptionDefinition("clip_norm", .positiveNumber, "clip gradients to this global L2 norm"),
        OptionDefinition("schedule", .choice(schedules.map(\.name)), "learning-rate schedule"),
    ]

    public static let earlyStopping: [OptionDefinition] = [
        OptionDefinition("monitor", .choice(monitors), default: "val_loss", "the value watched"),
        OptionDefinition("patience", .positiveInteger, default: "5", "epochs without improvement before stopping"),
        OptionDefinition("min_delta", .nonNegativeNumber, default: "0", "smallest change that counts as improvement"),
        OptionDefinition("restore_best", .boolean, default: "false", "restore the best epoch's weights at the end"),
    ]

    public static let residualProjections = ["auto", "none"]

    /// `residual: {layers, projection}`: y = layers(x) + shortcut(x).
    public static let residualBlock: [OptionDefinition] = [
        OptionDefinition("layers", .section("a list of layers"), required: true, "the block's layers; the first reads the block's input"),
        OptionDefinition("projection", .choice(residualProjections), default: "auto",
                         "`auto` adds a bias-free 1x1 convolution (images) or dense layer (vectors) on the shortcut when the shapes differ; `none` makes that an error"),
        OptionDefinition("name", .identifier, "the name of the block's output (default: `residual_INDEX`)"),
        OptionDefinition("from", .identifier, "the block's input (default: the item before it)"),
    ]

    public static let repeatBlock: [OptionDefinition] = [
        OptionDefinition("repeat", .integer(minimum: 1, maximum: 1000), required: true, "how many times"),
        OptionDefinition("layers", .section("a list of layers"), required: true, "the block to repeat"),
    ]

    /// Names users bring from Keras and PyTorch, mapped to this language's names, for "did you mean".
    public static let synonyms: [String: String] = [
        "lr": "learning_rate", "learningrate": "learning_rate", "alpha": "rho", "val": "validation", "valid": "validation",
        "categorical_crossentropy": "cross_entropy", "sparse_categorical_crossentropy": "cross_entropy",
        "crossentropy": "cross_entropy", "ce": "cross_entropy", "nll": "cross_entropy", "binary_crossentropy": "binary_cross_entropy",
        "bce": "binary_cross_entropy", "mean_squared_error": "mse", "mean_absolute_error": "mae",
        "linear": "dense", "fully_connected": "dense", "fc": "dense", "dense_layer": "dense", "conv": "conv2d", "conv2D": "conv2d",
        "maxpool": "maxpool2d", "max_pool": "maxpool2d", "max_pooling2d": "maxpool2d", "avgpool": "avgpool2d",
        "average_pooling2d": "avgpool2d", "batch_norm": "batchnorm", "batch_normalization": "batchnorm", "batchnorm2d": "batchnorm",
        "swish": "silu", "leakyrelu": "leaky_relu", "epoch": "epochs", "batch": "batch_size", "batchsize": "batch_size",
        "neurons": "units", "hidden_units": "units", "out_features": "units", "kernel_size": "kernel", "strides": "stride",
        "out_channels": "filters", "pool_size": "size", "p": "rate", "label": "target", "labels": "target",
        "sum": "add", "mul": "multiply", "concatenate": "concat", "cat": "concat", "layer_norm": "layernorm",
        "layer_normalization": "layernorm", "global_average_pooling2d": "global_avgpool", "global_avg_pool": "global_avgpool",
        "global_max_pooling2d": "global_maxpool", "global_max_pool": "global_maxpool", "adaptive_avg_pool": "global_avgpool",
        "inputs": "from", "input": "from", "skip": "residual", "shortcut": "residual",
    ]

    /// A "did you mean" line for `word`: a known synonym first, then the closest name by edit distance.
    public static func didYouMean(_ word: String, among names: [String]) -> String? {
        if let synonym = synonyms[word] ?? synonyms[word.lowercased()], names.contains(synonym) {
            return "did you mean `\(synonym)`?"
        }
        return Suggestion.didYouMean(word, among: names)
    }

    public static func layer(_ name: String) -> KindDefinition? { layers.first { $0.name == name } }
    public static func loss(_ name: String) -> KindDefinition? { losses.first { $0.name == name } }
    public static func optimizer(_ name: String) -> KindDefinition? { optimizers.first { $0.name == name } }
    public static func schedule(_ name: String) -> KindDefinition? { schedules.first { $0.name == name } }
}
