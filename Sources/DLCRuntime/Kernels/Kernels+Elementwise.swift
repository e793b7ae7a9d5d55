extension Kernels {
    /// Elementwise sum `y = a + b`, `[count]` each; `y` may alias `a` or `b`, so
    /// `add(dx, g, into: dx, count:)` accumulates a gradient. `d(a + b)/da = d(a + b)/db = 1`.
    public static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        for i in 0..<count { y[i] = a[i] + b[i] }
    }

    /// Elementwise product `y = a * b`, `[count]` each; `y` may alias `a` or `b`.
    /// `d(a * b)/da = b`, `d(a * b)/db = a`.
    public static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        for i in 0..<count { y[i] = a[i] * b[i] }
    }

    /// Scales in place: `x *= factor`, `[count]`.
    public static func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        for i in 0..<count { x[i] *= factor }
    }

    /// Copies `count` floats from `x` to `y`; the ranges must not overlap unless equal.
    public static func copy(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        if UnsafePointer(y) != x { y.update(from: x, count: count) }
    }

    /// Sets `count` floats to `value`.
    public static func fill(_ x: UnsafeMutablePointer<Float>, value: Float, count: Int) {
        x.update(repeating: value, count: count)
    }

    /// `sum_i x[i]^2` in `Double` (for gradient-norm clipping and weight norms), `[count] -> ()`.
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        // Four partial sums let the loop vectorize without reassociating a single sum.
        var partial = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            let v = SIMD4<Double>(Double(x[i]), Double(x[i + 1]), Double(x[i + 2]), Double(x[i + 3]))
            partial += v * v
            i += 4
        }
        var total = partial.sum()
        while i < count {
            let v = Double(x[i])
            total += v * v
            i += 1
        }
        return total
    }

    /// `sum_i (p[i] - t[i])^2` in `Double`, `[count]` each (mse and its metric).
    public static func squaredErrorSum(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int
    ) -> Double {
        var partial = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            let p = SIMD4<Double>(Double(prediction[i]), Double(prediction[i + 1]),
                                  Double(prediction[i + 2]), Double(prediction[i + 3]))
            let t = SIMD4<Double>(Double(target[i]), Double(target[i + 1]),
                                  Double(target[i + 2]), Double(target[i + 3]))
            let d = p - t
            partial += d * d
            i += 4
        }
        var total = partial.sum()
        while i < count {
            let d = Double(prediction[i]) - Double(target[i])
            total += d * d
            i += 1
        }
        return total
    }

    /// `sum_i |p[i] - t[i]|` in `Double`, `[count]` each (mae and its metric).
    public static func absoluteErrorSum(
        prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int
    ) -> Double {
        var partial = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            let p = SIMD4<Double>(Double(prediction[i]), Double(prediction[i + 1]),
                                  Double(prediction[i + 2]), Double(prediction[i + 3]))
            let t = SIMD4<Double>(Double(target[i]), Double(target[i + 1]),
                                  Double(target[i + 2]), Double(target[i + 3]))
            let d = p - t
            partial += d.replacing(with: -d, where: d .< 0)
            i += 4
        }
        var total = partial.sum()
        while i < count {
            total += abs(Double(prediction[i]) - Double(target[i]))
            i += 1
        }
        return total
    }

    /// Counts correct predictions, `[rows, columns]` outputs against `[rows]` labels.
    ///
    /// With `columns > 1` a row is correct when its argmax (the first maximum, as numpy and
    /// PyTorch) equals the class index in `labels[r]`. With `columns == 1` (binary) the
    /// prediction is `output > threshold` and the label `labels[r] >= 0.5`; pass 0.5 for
    /// probabilities, 0 for logits.
    public static func argmaxMatches(
        _ output: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, columns: Int,
        threshold: Float = 0.5
    ) -> Int {
        var matches = 0
        if columns == 1 {
            for r in 0..<rows where (output[r] > threshold) == (labels[r] >= 0.5) { matches += 1 }
            return matches
        }
        if columns == 0 { return 0 }
        for r in 0..<rows {
            let row = output + r * columns
            var best = 0
            var bestValue = row[0]
            for c in 1..<columns where row[c] > bestValue {
                best = c
                bestValue = row[c]
            }
            if Float(best) == labels[r] { matches += 1 }
        }
        return matches
    }
}
