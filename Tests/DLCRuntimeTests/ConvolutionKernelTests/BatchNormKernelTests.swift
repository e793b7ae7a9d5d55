import DLCRuntime
import Testing

/// Batch statistics of `x[rows, channels]` in Double: mean and biased variance per channel.
private func referenceStatistics(_ x: [Float], rows: Int, channels: Int) -> (mean: [Double], variance: [Double]) {
    var mean = [Double](repeating: 0, count: channels)
    var variance = mean
    for c in 0..<channels {
        for r in 0..<rows { mean[c] += Double(x[r * channels + c]) }
        mean[c] /= Double(rows)
        for r in 0..<rows {
            let d = Double(x[r * channels + c]) - mean[c]
            variance[c] += d * d
        }
        variance[c] /= Double(rows)
    }
    return (mean, variance)
}

/// The outputs of one `batchNormTraining` call.
private struct TrainingResult {
    var y: [Float]
    var runningMean: [Float]
    var runningVariance: [Float]
    var savedMean: [Float]
    var savedInverseStd: [Float]
}

private func runTraining(
    _ x: [Float], gamma: [Float], beta: [Float], runningMean: [Float], runningVariance: [Float],
    rows: Int, channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5
) -> TrainingResult {
    let (xBuffer, gammaBuffer, betaBuffer) = (FloatBuffer(x), FloatBuffer(gamma), FloatBuffer(beta))
    let (mean, variance) = (FloatBuffer(runningMean), FloatBuffer(runningVariance))
    let y = FloatBuffer(count: x.count, value: .nan)
    let (savedMean, savedInverseStd) = (FloatBuffer(count: channels, value: .nan), FloatBuffer(count: channels, value: .nan))
    withExtendedLifetime((xBuffer, gammaBuffer, betaBuffer)) {
        Kernels.batchNormTraining(
            xBuffer.constant, y: y.pointer, gamma: gammaBuffer.constant, beta: betaBuffer.constant,
            runningMean: mean.pointer, runningVariance: variance.pointer,
            savedMean: savedMean.pointer, savedInverseStd: savedInverseStd.pointer,
            rows: rows, channels: channels, momentum: momentum, epsilon: epsilon)
    }
    return TrainingResult(y: y.values, runningMean: mean.values, runningVariance: variance.values,
                          savedMean: savedMean.values, savedInverseStd: savedInverseStd.values)
}

struct BatchNormKernelTests {
    /// (rows, channels): 1 channel (64-row runs), channel counts that divide 64 and that do not
    /// (leftover rows), exactly 64, and more than 64 (several channel blocks, a partial last one).
    static let shapes: [(Int, Int)] = [(37, 1), (10, 3), (9, 16), (5, 64), (7, 70), (4, 130)]

    @Test("training mode normalizes with batch statistics and updates running ones like PyTorch",
          arguments: shapes)
    func training(shape: (Int, Int)) {
        let (rows, channels) = shape
        // An offset mean checks the shifted sums.
        let x = randomValues(rows * channels, seed: 1).map { $0 + 3 }
        let gamma = randomValues(channels, seed: 2, in: 0.5...1.5)
        let beta = randomValues(channels, seed: 3)
        let runningMean = randomValues(channels, seed: 4)
        let runningVariance = randomValues(channels, seed: 5, in: 0.5...2)
        let result = runTraining(x, gamma: gamma, beta: beta, runningMean: runningMean,
                                 runningVariance: runningVariance, rows: rows, channels: channels)
        let (mean, variance) = referenceStatistics(x, rows: rows, channels: channels)
        let inverseStd = variance.map { 1 / ($0 + 1e-5).squareRoot() }
        var y = [Double](repeating: 0, count: rows * channels)
        for r in 0..<rows {
            for c in 0..<channels {
                let i = r * channels + c
                y[i] = (Double(x[i]) - mean[c]) * inverseStd[c] * Double(gamma[c]) + Double(beta[c])
            }
        }
        expectClose(result.y, y, relative: 1e-4, absolute: 1e-5, "y")
        expectClose(result.savedMean, mean, relative: 1e-6, absolute: 1e-6, "saved mean")
        expectClose(result.savedInverseStd, inverseStd, relative: 1e-5, absolute: 1e-6, "saved invStd")
        let n = Double(rows)
        expectClose(result.runningMean, zip(runningMean, mean).map { 0.9 * Double($0) + 0.1 * $1 },
                    relative: 1e-5, absolute: 1e-6, "running mean")
        expectClose(result.runningVariance, zip(runningVariance, variance).map { 0.9 * Double($0) + 0.1 * $1 * n / (n - 1) },
                    relative: 1e-5, absolute: 1e-6, "running variance (unbiased)")
    }

    @Test("statistics keep their precision for many rows with a large mean")
    func largeBatchPrecision() {
        let rows = 200_000, channels = 2
        // Channel 0: 1000 + small noise (variance 1/12 * 0.01); channel 1: a centered ramp.
        let noise = randomValues(rows, seed: 6, in: -0.05...0.05)
        var x = [Float](repeating: 0, count: rows * channels)
        for r in 0..<rows {
            x[r * channels] = 1000 + noise[r]
            x[r * channels + 1] = Float(r % 1000) / 1000 - 0.4995
        }
        let result = runTraining(x, gamma: [1, 1], beta: [0, 0], runningMean: [0, 0], runningVariance: [1, 1],
                                 rows: rows, channels: channels, momentum: 1)
        let (mean, variance) = referenceStatistics(x, rows: rows, channels: channels)
        expectClose(result.savedMean, mean, relative: 1e-7, absolute: 1e-6, "mean")
        let n = Double(rows)
        expectClose(result.runningVariance, variance.map { $0 * n / (n - 1) }, relative: 1e-4, absolute: 0, "variance")
    }

    @Test("inference mode uses the running statistics", arguments: shapes)
    func inference(shape: (Int, Int)) {
        let (rows, channels) = shape
        let x = FloatBuffer(randomValues(rows * channels, seed: 7))
        let gamma = FloatBuffer(randomValues(channels, seed: 8))
        let beta = FloatBuffer(randomValues(channels, seed: 9))
        let mean = FloatBuffer(randomValues(channels, seed: 10))
        let variance = FloatBuffer(randomValues(channels, seed: 11, in: 0.1...3))
        let y = FloatBuffer(count: rows * channels, value: .nan)
        Kernels.batchNormInference(x.constant, y: y.pointer, gamma: gamma.constant, beta: beta.constant,
                                   runningMean: mean.constant, runningVariance: variance.constant,
                                   rows: rows, channels: channels, epsilon: 1e-3)
        let expected = (0..<rows * channels).map { i -> Double in
            let c = i % channels
            return (Double(x[i]) - Double(mean[c])) / (Double(variance[c]) + 1e-3).squareRoot()
                * Double(gamma[c]) + Double(beta[c])
        }
        expectClose(y.values, expected, relative: 1e-5, absolute: 1e-5)
    }

    /// L = sum(r * batchNorm(x)): dx, dgamma and dbeta from the saved statistics against
    /// central differences of the training-mode forward pass.
    @Test("dx, dgamma and dbeta match finite differences", arguments: shapes)
    func gradients(shape: (Int, Int)) {
        let (rows, channels) = shape
        let x = randomValues(rows * channels, seed: 12).map { $0 + 1 }
        let gamma = randomValues(channels, seed: 13, in: 0.5...1.5)
        let beta = randomValues(channels, seed: 14)
        let r = FloatBuffer(randomValues(rows * channels, seed: 15))
        let zeros = [Float](repeating: 0, count: channels), ones = [Float](repeating: 1, count: channels)
        func loss(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double {
            let result = runTraining(x, gamma: gamma, beta: beta, runningMean: zeros, runningVariance: ones,
                                     rows: rows, channels: channels)
            return weightedSum(result.y, r.values)
        }
        let forward = runTraining(x, gamma: gamma, beta: beta, runningMean: zeros, runningVariance: ones,
                                  rows: rows, channels: channels)
        let (xBuffer, gammaBuffer) = (FloatBuffer(x), FloatBuffer(gamma))
        let (savedMean, savedInverseStd) = (FloatBuffer(forward.savedMean), FloatBuffer(forward.savedInverseStd))
        let dx = FloatBuffer(count: rows * channels, value: .nan)
        let (dGamma, dBeta) = (FloatBuffer(count: channels, value: .nan), FloatBuffer(count: channels, value: .nan))
        Kernels.batchNormBackward(dy: r.constant, x: xBuffer.constant, gamma: gammaBuffer.constant,
                                  savedMean: savedMean.constant, savedInverseStd: savedInverseStd.constant,
                                  dx: dx.pointer, dGamma: dGamma.pointer, dBeta: dBeta.pointer,
                                  rows: rows, channels: channels)
        expectGradient(dx.values, numericGradient(at: x, step: 1e-2) { loss($0, gamma, beta) },
                       relative: 1e-2, absolute: 1e-3, "dx")
        expectGradient(dGamma.values, numericGradient(at: gamma, step: 0.25) { loss(x, $0, beta) }, "dgamma")
        expectGradient(dBeta.values, numericGradient(at: beta, step: 0.25) { loss(x, gamma, $0) }, "dbeta")

        // Accumulating adds all three onto what is there.
        let (dxStart, gStart, bStart) = (randomValues(rows * channels, seed: 16), randomValues(channels, seed: 17),
                                         randomValues(channels, seed: 18))
        let (dxSum, gSum, bSum) = (FloatBuffer(dxStart), FloatBuffer(gStart), FloatBuffer(bStart))
        Kernels.batchNormBackward(dy: r.constant, x: xBuffer.constant, gamma: gammaBuffer.constant,
                                  savedMean: savedMean.constant, savedInverseStd: savedInverseStd.constant,
                                  dx: dxSum.pointer, dGamma: gSum.pointer, dBeta: bSum.pointer,
                                  rows: rows, channels: channels, accumulate: true)
        func sum(_ a: [Float], _ b: [Float]) -> [Double] { zip(a, b).map { Double($0) + Double($1) } }
        expectClose(dxSum.values, sum(dxStart, dx.values), relative: 1e-5, absolute: 1e-5, "dx accumulated")
        expectClose(gSum.values, sum(gStart, dGamma.values), relative: 1e-5, absolute: 1e-5, "dgamma accumulated")
        expectClose(bSum.values, sum(bStart, dBeta.values), relative: 1e-5, absolute: 1e-5, "dbeta accumulated")
    }

    @Test("y may alias x, and dx may alias dy")
    func inPlace() {
        let (rows, channels) = (6, 5)
        let x = randomValues(rows * channels, seed: 19)
        let gamma = FloatBuffer(randomValues(channels, seed: 20))
        let beta = FloatBuffer(randomValues(channels, seed: 21))
        let expected = runTraining(x, gamma: gamma.values, beta: beta.values, runningMean: [Float](repeating: 0, count: channels),
                                   runningVariance: [Float](repeating: 1, count: channels), rows: rows, channels: channels)
        let inPlace = FloatBuffer(x)
        let (mean, variance) = (FloatBuffer(count: channels), FloatBuffer(count: channels, value: 1))
        let (savedMean, savedInverseStd) = (FloatBuffer(count: channels), FloatBuffer(count: channels))
        Kernels.batchNormTraining(inPlace.constant, y: inPlace.pointer, gamma: gamma.constant, beta: beta.constant,
                                  runningMean: mean.pointer, runningVariance: variance.pointer,
                                  savedMean: savedMean.pointer, savedInverseStd: savedInverseStd.pointer,
                                  rows: rows, channels: channels, momentum: 0.1, epsilon: 1e-5)
        #expect(inPlace.values == expected.y)

        let xBuffer = FloatBuffer(x)
        let dy = randomValues(rows * channels, seed: 22)
        let (separate, aliased) = (FloatBuffer(count: rows * channels), FloatBuffer(dy))
        let dyBuffer = FloatBuffer(dy)
        let (dGamma, dBeta) = (FloatBuffer(count: channels), FloatBuffer(count: channels))
        Kernels.batchNormBackward(dy: dyBuffer.constant, x: xBuffer.constant, gamma: gamma.constant,
                                  savedMean: savedMean.constant, savedInverseStd: savedInverseStd.constant,
                                  dx: separate.pointer, dGamma: dGamma.pointer, dBeta: dBeta.pointer,
                                  rows: rows, channels: channels)
        Kernels.batchNormBackward(dy: aliased.constant, x: xBuffer.constant, gamma: gamma.constant,
                                  savedMean: savedMean.constant, savedInverseStd: savedInverseStd.constant,
                                  dx: aliased.pointer, dGamma: dGamma.pointer, dBeta: dBeta.pointer,
                                  rows: rows, channels: channels)
        #expect(aliased.values == separate.values)
    }
}
