import DLCData
import DLCDiagnostics
import DLCSpec

/// Loss against the output layer and the data's target; metrics and early stopping against the task.
struct Compatibility {
    let spec: Spec
    let model: CheckedModel
    var diagnostics: [Diagnostic] = []

    init(spec: Spec, model: CheckedModel) {
        self.spec = spec
        self.model = model
    }

    mutating func run() {
        if let loss = spec.loss { checkLoss(loss) }
        checkMetrics()
        checkEarlyStopping()
    }

    /// The activation the model ends with, and the layer that applies it: the output layer, or
    /// the layer a dropout, flatten or reshape at the end passes through.
    private var outputActivation: (activation: Activation, layer: CheckedLayer, range: SourceRange)? {
        var current = model.layers.indices.last
        while let index = current {
            let layer = model.layers[index]
            switch layer.spec.config {
            case .activation(let activation, _):
                return (activation, layer, layer.spec.kindRange)
            case .dense(_, let activation, _, _), .conv2d(_, _, let activation, _, _), .conv1d(_, _, let activation, _, _):
                return (activation, layer, layer.spec.optionRanges["activation"] ?? layer.spec.kindRange)
            case .dropout, .flatten, .reshape:
                guard case .layer(let source) = layer.inputs[0] else { return nil }
                current = source
            case .maxPool2D, .avgPool2D, .batchNorm, .add, .multiply, .concat, .globalAvgPool, .globalMaxPool, .layerNorm,
                 .embedding, .maxPool1D, .avgPool1D, .recurrent, .attention, .positionalEmbedding:
                return (.linear, layer, layer.spec.kindRange)
            }
        }
        return nil
    }

    /// Where to point about the output's width: the last layer's `units`, or the last layer.
    private var outputRange: SourceRange {
        guard let last = model.layers.last else { return model.spec.model?.layersRange ?? SourceRange(at: SourceLocation(line: 1, column: 1)) }
        for layer in model.layers.reversed() {
            if let units = layer.spec.optionRanges["units"] { return units }
            if case .dense = layer.spec.config { return layer.spec.kindRange }
        }
        return last.spec.kindRange
    }

    private mutating func checkLoss(_ loss: Located<LossSpec>) {
        let output = model.outputShape
        let name = loss.value.name
        guard output.count == 1 else {
            error("loss-mismatch", "`\(name)` needs a flat output, but the model outputs \(ShapeArithmetic.format(output))", at: loss.range,
                  help: "end the model with `- flatten` and a `dense` layer")
            return
        }
        let units = output[0]
        let last = model.layers.last?.name ?? "the input"
        let target = model.trainingData?.target
        switch loss.value {
        case .crossEntropy:
            guard units >= 2 else {
                error("loss-mismatch", "`cross_entropy` needs one output per class (at least 2), but `\(last)` outputs \(units)",
                      at: outputRange, help: "for a yes/no target with one output, use `loss: binary_cross_entropy`")
                return
            }
            if let (activation, _, range) = outputActivation, activation != .softmax, activation != .linear {
                error("loss-mismatch", "`cross_entropy` takes softmax probabilities or linear logits, but the model ends with `\(activation.rawValue)`",
                      at: range, help: "use `activation: softmax`")
            }
            switch target {
            case .classes(let names)? where names.count != units:
                error("class-count-mismatch", "the data has \(names.count) classes (\(Self.list(names))), but `\(last)` outputs \(units) values",
                      at: outputRange, help: "set `units: \(names.count)`")
            case .values(let width)?:
                error("loss-mismatch", "`cross_entropy` needs class labels, but the data's target is \(Self.regressionTarget(width, spec))",
                      at: loss.range, help: "use `loss: mse` for regression")
            default:
                if spec.data?.train?.value.builtinName == "sine" {
                    error("loss-mismatch", "`cross_entropy` needs class labels, but `sine` is a regression set", at: loss.range,
                          help: "use `loss: mse`")
                }
            }
        case .binaryCrossEntropy:
            guard units == 1 else {
                error("loss-mismatch", "`binary_cross_entropy` needs exactly one output, but `\(last)` outputs \(units)",
                      at: outputRange, help: "set `units: 1`, or use `loss: cross_entropy` with one output per class")
                return
            }
            if let (activation, _, range) = outputActivation, activation != .sigmoid, activation != .linear {
                error("loss-mismatch", "`binary_cross_entropy` takes a sigmoid probability or a linear logit, but the model ends with `\(activation.rawValue)`",
                      at: range, help: "use `activation: sigmoid`")
            }
            if case .classes(let names)? = target, names.count != 2 {
                error("class-count-mismatch", "`binary_cross_entropy` needs 2 classes, but the data has \(names.count) (\(Self.list(names)))",
                      at: loss.range, help: "use `loss: cross_entropy` with `units: \(names.count)`")
            } else if case .values(let width)? = target {
                error("loss-mismatch", "`binary_cross_entropy` needs class labels, but the data's target is \(Self.regressionTarget(width, spec))",
                      at: loss.range, help: "use `loss: mse` for regression")
            }
        case .mse, .mae:
            switch target {
            case .values(let width)? where width != units:
                error("target-width-mismatch", "the target has \(width) value column\(width == 1 ? "" : "s"), but `\(last)` outputs \(units)",
                      at: outputRange, help: "set `units: \(width)`")
            case .classes(let names)? where units != 1 && units != names.count:
                error("target-width-mismatch",
                      "`\(name)` compares the output with a class label (1 value) or its one-hot vector (\(names.count) values), but `\(last)` outputs \(units)",
                      at: outputRange, help: "set `units: \(names.count)`, or use `loss: cross_entropy` for classification")
            case .classes? where units == 1 && model.trainingData?.targetIsNumeric == false:
                error("loss-mismatch", "`\(name)` with one output needs numeric labels, but the target column holds text", at: loss.range,
                      help: "use `loss: cross_entropy` with one output per class")
            default:
                break
            }
        }
    }

    private mutating func checkMetrics() {
        guard let loss = spec.loss?.value else { return }
        let classLabels: Bool
        switch model.trainingData?.target {
        case .classes?: classLabels = true
        case .values?: classLabels = false
        case nil: classLabels = loss.isClassification || (spec.data?.train?.value.builtinName.map { $0 != "sine" } ?? true)
        }
        for metric in spec.metrics {
            switch metric.value {
            case .accuracy where !classLabels:
                error("metric-mismatch", "`accuracy` needs class labels, but this model regresses values", at: metric.range,
                      help: "use `mae`, `mse` or `rmse`")
            case .precision where !classLabels, .recall where !classLabels, .f1 where !classLabels, .auc where !classLabels:
                error("metric-mismatch", "`\(metric.value.rawValue)` needs class labels, but this model regresses values", at: metric.range,
                      help: "use `mae`, `mse` or `rmse`")
            case .auc where Self.classCount(model.trainingData?.target).map({ $0 != 2 }) ?? false:
                error("metric-mismatch", "`auc` ranks two classes, but the data has \(Self.classCount(model.trainingData?.target) ?? 0)", at: metric.range,
                      help: "use `f1` (macro-averaged over the classes), or `accuracy`")
            case .mae where loss.isClassification, .mse where loss.isClassification, .rmse where loss.isClassification:
                error("metric-mismatch", "`\(metric.value.rawValue)` measures regression outputs, but `\(loss.name)` is a classification loss",
                      at: metric.range, help: spec.metrics.contains { $0.value == .accuracy } ? "remove `\(metric.value.rawValue)`" : "use `accuracy`")
            default:
                break
            }
        }
    }

    private mutating func checkEarlyStopping() {
        guard let stopping = spec.training?.earlyStopping?.value else { return }
        let monitor = stopping.monitor
        let parts = monitor.value.split(separator: "_", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        if parts[0] == "val", spec.data != nil, spec.data?.validation == nil {
            error("monitor-mismatch", "`early_stopping` watches `\(monitor.value)`, but the data has no validation split", at: monitor.range,
                  help: "add `validation: 0.2` under `data`, or watch `train_\(parts[1])`")
        }
        if parts[1] != "loss", !spec.metrics.contains(where: { $0.value.rawValue == parts[1] }) {
            error("monitor-mismatch", "`early_stopping` watches `\(monitor.value)`, but `metrics` does not list `\(parts[1])`",
                  at: monitor.range, help: "add `\(parts[1])` to `metrics`")
        }
    }

    private mutating func error(_ code: String, _ message: String, at range: SourceRange, help: String? = nil) {
        diagnostics.append(Diagnostic.error(code, message, at: range).helping(help))
    }

    /// "a regression value (`sine`)", "3 regression values per example".
    private static func regressionTarget(_ width: Int, _ spec: Spec) -> String {
        if let name = spec.data?.train?.value.builtinName { return "a regression value (`\(name)`)" }
        return width == 1 ? "a regression value" : "\(width) regression values per example"
    }

    private static func classCount(_ target: DataTarget?) -> Int? {
        if case .classes(let names)? = target { return names.count }
        return nil
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(5).map { "`\($0)`" }.joined(separator: ", ")
        return names.count > 5 ? shown + ", ..." : shown
    }
}

extension DataSourceSpec {
    /// The builtin set's name, if this is one.
    var builtinName: String? {
        if case .builtin(let name, _, _) = self { return name.value }
        return nil
    }
}
