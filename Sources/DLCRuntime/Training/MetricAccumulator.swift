import DLCGraph

/// Sums a loss and the metrics over batches, weighted by batch size.
struct MetricAccumulator {
    let metrics: [String]
    private var lossSum = 0.0
    private var examples = 0
    private var correct = 0
    private var absoluteErrors = 0.0
    private var squaredErrors = 0.0
    private var elements = 0
    /// The confusion matrix (and scores for the AUC) of a classifier; nil until a labelled batch.
    private var classification: ClassificationMetrics?
    /// The number of classes, for the confusion matrix; nil for a regression.
    let classes: Int?

    /// The metrics read from the confusion matrix.
    static let classificationMetrics: Set<String> = ["precision", "recall", "f1", "auc"]

    init(metrics: [String], classes: Int? = nil) {
        self.metrics = metrics
        self.classes = classes
    }

    /// Adds the batch an executor just ran; its loss counts `lossWeight` times (its rows, unless
    /// it is a rank's part of a batch whose loss is weighted by class).
    mutating func add(_ executor: Executor, lossWeight: Double? = nil) {
        let graph = executor.graph
        let rows = graph.batchSize
        lossSum += Double(executor.loss) * (lossWeight ?? Double(rows))
        examples += rows
        guard let predictionValue = graph.prediction, let lossValue = graph.loss,
              case .loss(_, _, let targetValue, _) = graph.nodes[lossValue].op else { return }
        let prediction = executor.pointer(predictionValue)
        let columns = graph.shape(of: predictionValue).last ?? 1
        if metrics.contains("accuracy"), let labels = executor.input(.labels) {
            correct += Kernels.argmaxMatches(prediction, labels: labels, rows: rows, columns: columns,
                                             threshold: graph.predictionIsLogits ? 0 : 0.5)
        }
        if let classes, let labels = executor.input(.labels) {
            if classification == nil { classification = ClassificationMetrics(classes: classes, keepsScores: metrics.contains("auc")) }
            classification?.add(prediction, labels: labels, rows: rows, columns: columns, threshold: graph.predictionIsLogits ? 0 : 0.5)
        }
        if metrics.contains(where: { $0 == "mae" || $0 == "mse" || $0 == "rmse" }),
           graph.nodes[targetValue].elementCount == rows * columns {
            let target = executor.pointer(targetValue)
            absoluteErrors += Kernels.absoluteErrorSum(prediction: prediction, target: target, count: rows * columns)
            squaredErrors += Kernels.squaredErrorSum(prediction: prediction, target: target, count: rows * columns)
            elements += rows * columns
        }
    }

    /// Replaces each rank's sums with their total over every rank (each rank added its part of
    /// the batches or of the split): afterwards every rank holds the whole split's metrics.
    mutating func reduce(over collective: Collective) {
        guard collective.isDistributed else { return }
        let classCount = classes.map { max($0, 2) } ?? 0
        var sums = [lossSum, Double(examples), Double(correct), absoluteErrors, squaredErrors, Double(elements)]
        sums += (classification?.counts.flatMap { $0 } ?? Array(repeating: 0, count: classCount * classCount)).map(Double.init)
        sums.withUnsafeMutableBufferPointer { collective.sum($0) }
        lossSum = sums[0]
        examples = Int(sums[1])
        correct = Int(sums[2])
        (absoluteErrors, squaredErrors, elements) = (sums[3], sums[4], Int(sums[5]))
        guard let classes, examples > 0 else { return }
        var merged = classification ?? ClassificationMetrics(classes: classes, keepsScores: metrics.contains("auc"))
        let counts = sums[6...].map { Int($0) }
        merged.replaceCounts((0..<classCount).map { Array(counts[($0 * classCount)..<(($0 + 1) * classCount)]) })
        if metrics.contains("auc") { merged.replaceScores(collective.gatherVariable(merged.scoreBytes).flatMap { $0 }) }
        classification = merged
    }

    var evaluation: Evaluation {
        var values: [String: Double] = [:]
        for metric in metrics {
            switch metric {
            case "accuracy": values[metric] = examples > 0 ? Double(correct) / Double(examples) : 0
            case "mae": values[metric] = elements > 0 ? absoluteErrors / Double(elements) : 0
            case "mse": values[metric] = elements > 0 ? squaredErrors / Double(elements) : 0
            case "rmse": values[metric] = elements > 0 ? (squaredErrors / Double(elements)).squareRoot() : 0
            case "precision": values[metric] = classification?.precision ?? 0
            case "recall": values[metric] = classification?.recall ?? 0
            case "f1": values[metric] = classification?.f1 ?? 0
            case "auc": values[metric] = classification?.auc ?? 0.5
            default: break
            }
        }
        var evaluation = Evaluation(loss: examples > 0 ? lossSum / Double(examples) : 0, metrics: values)
        evaluation.confusion = classification?.counts
        return evaluation
    }
}
