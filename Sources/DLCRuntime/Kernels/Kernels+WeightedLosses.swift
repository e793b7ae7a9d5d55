import DLCGraph

extension Kernels {
    /// A classification loss with class weights, PyTorch's `CrossEntropyLoss(weight=w)` (and the
    /// same weighting for the binary losses): `loss = sum_r w[y_r] l_r / sum_r w[y_r]`, where
    /// `l_r` is example `r`'s unweighted loss; the gradient of row `r` is `w[y_r] / sum w` times
    /// `d l_r / d x_r`. Label smoothing is not combined with weights (the checker refuses it).
    ///
    /// Each row is run through the unweighted kernel with a scale of `rows * w[y_r] / sum w`, so
    /// the formulas (and their stability) are those kernels'.
    public static func classWeightedLoss(
        _ kind: LossKind, prediction: UnsafePointer<Float>, labels: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        rows: Int, columns: Int, gradient: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>
    ) -> Float {
        guard rows > 0 else { return 0 }
        let classes = columns == 1 ? 2 : columns
        var total = 0.0
        for r in 0..<rows { total += Double(weights[classIndex(labels[r], classes: classes)]) }
        guard total > 0 else { return 0 }
        var loss = 0.0
        for r in 0..<rows {
            let weight = Double(weights[classIndex(labels[r], classes: classes)]) / total
            let x = prediction + r * columns, label = labels + r, g = gradient.map { $0 + r * columns }
            let p = scratch + r * columns
            let value: Float
            switch kind {
            case .softmaxCrossEntropy:
                value = softmaxCrossEntropy(logits: x, labels: label, rows: 1, classes: columns, labelSmoothing: 0, probabilities: p,
                                            gradient: g, scale: Float(weight))
            case .crossEntropy:
                value = crossEntropy(probabilities: x, labels: label, rows: 1, classes: columns, labelSmoothing: 0, gradient: g, scale: Float(weight))
            case .sigmoidBinaryCrossEntropy:
                value = sigmoidBinaryCrossEntropy(logits: x, labels: label, count: 1, probabilities: p, gradient: g, scale: Float(weight))
            case .binaryCrossEntropy:
                value = binaryCrossEntropy(probabilities: x, labels: label, count: 1, gradient: g, scale: Float(weight))
            case .meanSquaredError, .meanAbsoluteError:
                preconditionFailure("internal: class weights on a regression loss")
            }
            loss += weight * Double(value)
        }
        return Float(loss)
    }

    /// scikit-learn's `class_weight="balanced"`: `n / (classes * count_c)` from the class counts
    /// of the training labels; 0 for a class with no example.
    public static func balancedClassWeights(labels: [Float], classes: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[classIndex(label, classes: classes)] += 1 }
        return counts.map { $0 > 0 ? Float(Double(labels.count) / (Double(classes) * Double($0))) : 0 }
    }
}
