extension Kernels {
    /// Softmax cross-entropy from logits with label smoothing, PyTorch's
    /// `CrossEntropyLoss(label_smoothing: s)`; `[rows, classes]` logits, `[rows]` labels.
    ///
    /// `labels[r]` holds the class index as a float, in `0..<classes`. With
    /// `target = (1 - s) * onehot(label) + s / classes`:
    /// `loss = mean_r(-sum_c target[r, c] * log_softmax(x)[r, c])`, returned.
    /// Writes `softmax(x)` into `probabilities` (`[rows, classes]`) and, unless `gradient` is
    /// nil, `gradient = scale * (softmax(x) - target) / rows` (`d loss/d x`, `[rows, classes]`).
    /// `probabilities` may alias `logits`, and `gradient` may be the same buffer as either.
    public static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, classes: Int,
        labelSmoothing: Float, probabilities: UnsafeMutablePointer<Float>,
        gradient: UnsafeMutablePointer<Float>?, scale: Float = 1
    ) -> Float {
        if rows == 0 || classes == 0 { return 0 }
        let offTarget = Double(labelSmoothing) / Double(classes)
        let onWeight = 1 - Double(labelSmoothing)
        var total: Double = 0
        for r in 0..<rows {
            let x = logits + r * classes
            let p = probabilities + r * classes
            let label = classIndex(labels[r], classes: classes)
            // log_softmax_c = (x_c - max) - log(sum exp); the smoothing term needs its row sum.
            // Both read x before p is written, so `probabilities` may alias `logits`.
            let rowMax = maximum(x, count: classes)
            let labelLogit = Double(x[label] - rowMax)
            let logitSum = Double(sum(x, count: classes)) - Double(classes) * Double(rowMax)
            for c in 0..<classes { p[c] = fastExp(x[c] - rowMax) }
            let expSum = sum(p, count: classes)
            let logSum = logDouble(Double(expSum))
            let logLabel = labelLogit - logSum
            let logAll = logitSum - Double(classes) * logSum
            total -= onWeight * logLabel + offTarget * logAll
            let inverse = 1 / expSum
            for c in 0..<classes { p[c] *= inverse }
        }
        if let gradient {
            // d loss/d x = (softmax - target) / rows
            let factor = scale / Float(rows)
            let off = Float(offTarget)
            let on = Float(onWeight) * factor
            for i in 0..<rows * classes { gradient[i] = (probabilities[i] - off) * factor }
            for r in 0..<rows {
                gradient[r * classes + classIndex(labels[r], classes: classes)] -= on
            }
        }
        return Float(total / Double(rows))
    }

    /// Cross-entropy from probabilities (the unfused fallback after a softmax);
    /// `[rows, classes]` probabilities, `[rows]` class-index labels.
    ///
    /// `loss = mean_r(-sum_c target[r, c] * log(max(p[r, c], 1e-7)))` with the smoothed
    /// `target` of `softmaxCrossEntropy`. Gradient wrt the probabilities:
    /// `d(-t log p)/dp = -t / p` (0 where the clamp is active), times `scale / rows`.
    public static func crossEntropy(
        probabilities: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, classes: Int,
        labelSmoothing: Float, gradient: UnsafeMutablePointer<Float>?, scale: Float = 1
    ) -> Float {
        if rows == 0 || classes == 0 { return 0 }
        let floor: Float = 1e-7
        let off = labelSmoothing / Float(classes)
        let on = 1 - labelSmoothing + off
        let factor = scale / Float(rows)
        var total: Double = 0
        for r in 0..<rows {
            let p = probabilities + r * classes
            let label = classIndex(labels[r], classes: classes)
            if off != 0 {
                var logAll: Double = 0
                for c in 0..<classes { logAll += Double(logFloat(max(p[c], floor))) }
                total -= Double(off) * logAll
            }
            total -= Double(on - off) * Double(logFloat(max(p[label], floor)))
            if let gradient {
                let g = gradient + r * classes
                for c in 0..<classes { g[c] = p[c] > floor ? -off * factor / p[c] : 0 }
                if p[label] > floor { g[label] = -on * factor / p[label] }
            }
        }
        return Float(total / Double(rows))
    }

    /// Binary cross-entropy from logits, PyTorch's `BCEWithLogitsLoss`; `[count]` each.
    ///
    /// `loss = mean_i(max(x, 0) - x * t + log(1 + exp(-|x|)))`, stable for large `|x|`.
    /// Writes `sigmoid(x)` into `probabilities` and `gradient = scale * (sigmoid(x) - t) / count`.
    public static func sigmoidBinaryCrossEntropy(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Float>, count: Int,
        probabilities: UnsafeMutablePointer<Float>,
        gradient: UnsafeMutablePointer<Float>?, scale: Float = 1
    ) -> Float {
        if count == 0 { return 0 }
        var total: Double = 0
        for i in 0..<count {
            let x = logits[i]
            let t = labels[i]
            let e = expFloat(-abs(x))
            total += Double(max(x, 0) - x * t) + Double(log1pFloat(e))
            // sigmoid(x) from e = exp(-|x|): 1 / (1 + e) for x >= 0, e / (1 + e) otherwise
            probabilities[i] = (x >= 0 ? 1 : e) / (1 + e)
        }
        if let gradient {
            // d loss/d x = sigmoid(x) - t
            let factor = scale / Float(count)
            for i in 0..<count { gradient[i] = (probabilities[i] - labels[i]) * factor }
        }
        return Float(total / Double(count))
    }

    /// Binary cross-entropy from probabilities, PyTorch's `BCELoss`; `[count]` each.
    ///
    /// `loss = mean_i(-(t * max(log p, -100) + (1 - t) * max(log(1 - p), -100)))`.
    /// Gradient as PyTorch: `d/dp = (p - t) / max(p * (1 - p), 1e-12)`, times `scale / count`.
    public static func binaryCrossEntropy(
        probabilities: UnsafePointer<Float>, labels: UnsafePointer<Float>, count: Int,
        gradient: UnsafeMutablePointer<Float>?, scale: Float = 1
    ) -> Float {
        if count == 0 { return 0 }
        var total: Double = 0
        for i in 0..<count {
            let p = Double(probabilities[i])
            let t = Double(labels[i])
            let logP = max(logDouble(p), -100)
            let logQ = max(log1pDouble(-p), -100)
            total -= t * logP + (1 - t) * logQ
        }
        if let gradient {
            let factor = Double(scale) / Double(count)
            for i in 0..<count {
                let p = Double(probabilities[i])
                let t = Double(labels[i])
                gradient[i] = Float((p - t) / max(p * (1 - p), 1e-12) * factor)
            }
        }
        return Float(total / Double(count))
    }

    /// Mean squared error over all elements, `[count]` each: `loss = mean((p - t)^2)`;
    /// `d loss/d p = 2 (p - t) / count`, times `scale`.
    public static func meanSquaredError(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
        gradient: UnsafeMutablePointer<Float>?, scale: Float = 1
    ) -> Float {
        if count == 0 { return 0 }
        let total = squaredErrorSum(prediction: prediction, target: target, count: count)
        if let gradient {
            let factor = 2 * scale / Float(count)
            for i in 0..<count { gradient[i] = (prediction[i] - target[i]) * factor }
        }
        return Float(total / Double(count))
    }

    /// Mean absolute error over all elements, `[count]` each: `loss = mean(|p - t|)`;
    /// `d loss/d p = sign(p - t) / count` with `sign(0) = 0` (PyTorch), times `scale`.
    public static func meanAbsoluteError(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
        gradient: UnsafeMutablePointer<Float>?, scale: Float = 1
    ) -> Float {
        if count == 0 { return 0 }
        let total = absoluteErrorSum(prediction: prediction, target: target, count: count)
        if let gradient {
            let factor = scale / Float(count)
            for i in 0..<count {
                let d = prediction[i] - target[i]
                gradient[i] = d > 0 ? factor : (d < 0 ? -factor : 0)
            }
        }
        return Float(total / Double(count))
    }

    /// One-hot encoding: `[rows]` class-index labels -> `[rows, classes]` of 0 and 1.
    public static func oneHot(
        labels: UnsafePointer<Float>, rows: Int, classes: Int, into y: UnsafeMutablePointer<Float>
    ) {
        y.update(repeating: 0, count: rows * classes)
        for r in 0..<rows { y[r * classes + classIndex(labels[r], classes: classes)] = 1 }
    }

    /// The class index a float label holds. Labels are validated when the data loads, so an
    /// index outside `0..<classes` here is a broken internal invariant.
    @inline(__always)
    static func classIndex(_ label: Float, classes: Int) -> Int {
        precondition(label >= 0 && label < Float(classes), "internal: class label out of range")
        return Int(label)
    }
}
