/// Feature scaling fitted on the training split only, saved with the model.
///
/// Every feature `j` becomes `x' = (x - offsets[j]) * scales[j]`: `standard` subtracts the mean
/// and divides by the population standard deviation, `minmax` maps `[min, max]` to `[0, 1]`. A
/// constant feature keeps scale 1 (it only loses its offset). `none` changes nothing.
public struct Normalizer: Sendable, Hashable, Codable {
    /// How features are scaled, as the spec's `data.normalize` names it.
    public enum Mode: String, Sendable, Codable {
        /// No scaling.
        case none
        /// Zero mean, unit (population) standard deviation.
        case standard
        /// Minimum 0, maximum 1.
        case minmax
    }

    /// The kind of scaling.
    public var mode: Mode
    /// Per feature: mean (standard) or min (minmax); x' = (x - offset) * scale. Zeros for `none`.
    public var offsets: [Float]
    /// Per feature: 1/std (standard, population std; 1 when std == 0) or 1/(max-min) (1 when max == min). Ones for `none`.
    public var scales: [Float]

    public init(mode: Mode, offsets: [Float], scales: [Float]) {
        self.mode = mode
        self.offsets = offsets
        self.scales = scales
    }

    /// Fits `mode` to the features of `dataset` (the training split), in double precision.
    /// `scaled`, when given, says per feature whether it is scaled at all: the others (one-hot
    /// slots, missing indicators, embedding ids) keep offset 0 and scale 1, and cost nothing.
    public static func fit(_ mode: Mode, to dataset: Dataset, scaled: [Bool]? = nil) -> Normalizer {
        let width = dataset.featureCount
        let rows = min(dataset.count, width > 0 ? dataset.features.count / width : 0)
        var result = Normalizer(
            mode: mode,
            offsets: [Float](repeating: 0, count: width),
            scales: [Float](repeating: 1, count: width))
        guard mode != .none, rows > 0 else { return result }
        let columns = (0..<width).filter { scaled == nil || scaled?.count != width || scaled?[$0] == true }
        let count = columns.count
        var minimum = [Float](repeating: .infinity, count: count)
        var maximum = [Float](repeating: -.infinity, count: count)
        var sum = [Double](repeating: 0, count: count)
        dataset.features.withUnsafeBufferPointer { x in
            for row in 0..<rows {
                let base = row * width
                for k in 0..<count {
                    let value = x[base + columns[k]]
                    minimum[k] = min(minimum[k], value)
                    maximum[k] = max(maximum[k], value)
                    sum[k] += Double(value)
                }
            }
        }
        switch mode {
        case .none:
            break
        case .minmax:
            for (k, j) in columns.enumerated() {
                result.offsets[j] = minimum[k]
                let range = Double(maximum[k]) - Double(minimum[k])
                result.scales[j] = range > 0 ? Float(1 / range) : 1
            }
        case .standard:
            let mean = sum.map { $0 / Double(rows) }
            var squares = [Double](repeating: 0, count: count)
            dataset.features.withUnsafeBufferPointer { x in
                for row in 0..<rows {
                    let base = row * width
                    for k in 0..<count {
                        let deviation = Double(x[base + columns[k]]) - mean[k]
                        squares[k] += deviation * deviation
                    }
                }
            }
            for (k, j) in columns.enumerated() {
                result.offsets[j] = Float(mean[k])
                // A constant feature (max == min) has std 0 exactly, whatever rounding gives.
                let deviation = (squares[k] / Double(rows)).squareRoot()
                let isConstant = maximum[k] == minimum[k] || !(deviation > 0)
                result.scales[j] = isConstant ? 1 : Float(1 / deviation)
            }
        }
        return result
    }

    /// Scales the features of `dataset` in place.
    public func apply(to dataset: inout Dataset) {
        guard mode != .none else { return }
        precondition(dataset.featureCount == offsets.count, "internal: normalizer for \(offsets.count) features applied to \(dataset.featureCount)")
        let rows = min(dataset.count, offsets.isEmpty ? 0 : dataset.features.count / offsets.count)
        dataset.features.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            apply(to: base, count: rows)
        }
    }

    /// Scales `count` examples of `offsets.count` features at `features` (`[count, featureCount]`) in place.
    public func apply(to features: UnsafeMutablePointer<Float>, count: Int) {
        guard mode != .none else { return }
        let width = offsets.count
        guard width > 0, scales.count == width, count > 0 else { return }
        // Features with offset 0 and scale 1 (one-hot slots, indicators, ids) are skipped.
        let active = (0..<width).filter { offsets[$0] != 0 || scales[$0] != 1 }
        if active.count == width {
            offsets.withUnsafeBufferPointer { offset in
                scales.withUnsafeBufferPointer { scale in
                    for row in 0..<count {
                        let x = features + row * width
                        for j in 0..<width {
                            x[j] = (x[j] - offset[j]) * scale[j]
                        }
                    }
                }
            }
            return
        }
        for row in 0..<count {
            let x = features + row * width
            for j in active {
                x[j] = (x[j] - offsets[j]) * scales[j]
            }
        }
    }
}
