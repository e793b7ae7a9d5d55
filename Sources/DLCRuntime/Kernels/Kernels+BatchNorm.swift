extension Kernels {
    /// Batch normalization in training mode over the last axis of `x[rows, channels]`
    /// (`rows = batch * height * width` for NHWC activations).
    ///
    /// Per channel: the batch `mean` and biased `variance`, `invStd = 1 / sqrt(variance + epsilon)`,
    /// `y = (x - mean) * invStd * gamma + beta`. Saves `mean` and `invStd` (`[channels]` each) for
    /// `batchNormBackward` and updates the running statistics as PyTorch does:
    /// `running = (1 - momentum) * running + momentum * batchStatistic`, with the unbiased
    /// variance `variance * rows / (rows - 1)` (rows > 1) for `runningVariance`. The sums shift every
    /// channel by its first row's value and gather float32 blocks of 256 rows in `Double`, so
    /// large batches and large means keep their precision. `y` may alias `x`.
    ///
    /// It runs three phases, which the executor also runs with the rows split over threads:
    /// `batchNormSums` (per part of the rows, added up in order), `batchNormStatistics` and
    /// `batchNormNormalize` (per part of the rows). `sums` is scratch of `2 * channels` doubles.
    public static func batchNormTraining(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
        savedMean: UnsafeMutablePointer<Float>, savedInverseStd: UnsafeMutablePointer<Float>,
        rows: Int, channels: Int, momentum: Float, epsilon: Float
    ) {
        if rows == 0 || channels <= 0 { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * channels) { sums in
            guard let sum = sums.baseAddress else { return }
            batchNormSums(x, dy: nil, shift: x, rows: rows, channels: channels, first: sum, second: sum + channels)
            batchNormStatistics(shift: x, sum: sum, sumOfSquares: sum + channels, rows: rows, channels: channels,
                                savedMean: savedMean, savedInverseStd: savedInverseStd, runningMean: runningMean,
                                runningVariance: runningVariance, momentum: momentum, epsilon: epsilon)
        }
        batchNormNormalize(x, y: y, rows: rows, channels: channels, mean: savedMean, inverseStd: savedInverseStd,
                           gamma: gamma, beta: beta)
    }

    /// Per-channel sums over the rows of `x[rows, channels]` into `first` and `second`
    /// (`channels` doubles each): `sum (x - shift)` and `sum (x - shift)^2`, or with `dy`,
    /// `sum dy` and `sum dy * (x - shift)`. `shift` holds one value per channel. Sums of parts of
    /// the rows (each with the same `shift`) add up to the sums of the whole.
    public static func batchNormSums(
        _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>?, shift: UnsafePointer<Float>, rows: Int, channels: Int,
        first: UnsafeMutablePointer<Double>, second: UnsafeMutablePointer<Double>
    ) {
        ChannelBlock.forEach(rows: rows, channels: channels) { block in
            withPatterns { pattern, _, _, _ in
                block.expand(shift + block.firstChannel, into: pattern)
                block.sums(x, shift: pattern, dy: dy, first: first + block.firstChannel, second: second + block.firstChannel)
            }
        }
    }

    /// The batch statistics from `batchNormSums` over all `rows` (shifted by `shift`): writes the
    /// saved mean and 1/std and updates the running statistics (see `batchNormTraining`).
    public static func batchNormStatistics(
        shift: UnsafePointer<Float>, sum: UnsafePointer<Double>, sumOfSquares: UnsafePointer<Double>, rows: Int, channels: Int,
        savedMean: UnsafeMutablePointer<Float>, savedInverseStd: UnsafeMutablePointer<Float>,
        runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>, momentum: Float, epsilon: Float
    ) {
        let n = Double(rows)
        let unbiasing = rows > 1 ? n / (n - 1) : 1
        for channel in 0..<channels {
            let shiftedMean = sum[channel] / n
            let variance = max(sumOfSquares[channel] / n - shiftedMean * shiftedMean, 0)
            let mean = Float(Double(shift[channel]) + shiftedMean)
            savedMean[channel] = mean
            savedInverseStd[channel] = Float(1 / (variance + Double(epsilon)).squareRoot())
            runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * mean
            runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * Float(variance * unbiasing)
        }
    }

    /// `y = (x - mean) * inverseStd * gamma + beta` per channel over `rows` rows. `y` may alias `x`.
    public static func batchNormNormalize(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows: Int, channels: Int,
        mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>
    ) {
        ChannelBlock.forEach(rows: rows, channels: channels) { block in
            withPatterns { center, scale, offset, _ in
                for c in 0..<block.channelCount {
                    let channel = block.firstChannel + c
                    scale[c] = inverseStd[channel] * gamma[channel]
                }
                block.expand(mean + block.firstChannel, into: center)
                block.repeatPattern(scale)
                block.expand(beta + block.firstChannel, into: offset)
                normalize(x, y, block: block, center: center, scale: scale, offset: offset)
            }
        }
    }

    /// Batch normalization in inference mode, per channel of `x[rows, channels]`:
    /// `y = (x - runningMean) / sqrt(runningVariance + epsilon) * gamma + beta`. `y` may alias `x`.
    public static func batchNormInference(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        rows: Int, channels: Int, epsilon: Float
    ) {
        ChannelBlock.forEach(rows: rows, channels: channels) { block in
            withPatterns { center, scale, offset, _ in
                for c in 0..<block.channelCount {
                    let channel = block.firstChannel + c
                    scale[c] = gamma[channel] / (runningVariance[channel] + epsilon).squareRoot()
                }
                block.repeatPattern(scale)
                block.expand(runningMean + block.firstChannel, into: center)
                block.expand(beta + block.firstChannel, into: offset)
                normalize(x, y, block: block, center: center, scale: scale, offset: offset)
            }
        }
    }

    /// The gradients of `batchNormTraining`, from `dy[rows, channels]`, the input `x` and the
    /// saved `mean` and `invStd`. With `xhat = (x - mean) * invStd` and sums over rows:
    /// `dbeta = sum dy`, `dgamma = sum dy * xhat`,
    /// `dx = gamma * invStd / rows * (rows * dy - sum dy - xhat * sum(dy * xhat))`.
    /// Without `accumulate` all three are overwritten, with it they are added. `dx` may alias `dy`.
    ///
    /// Three phases, which the executor also runs with the rows split over threads:
    /// `batchNormSums` with `dy` and `shift: savedMean`, `batchNormGradientCoefficients` and
    /// `batchNormInputGradient`.
    public static func batchNormBackward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        savedMean: UnsafePointer<Float>, savedInverseStd: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
        rows: Int, channels: Int, accumulate: Bool = false
    ) {
        if channels <= 0 { return }
        if rows == 0 {
            if !accumulate {
                dGamma.update(repeating: 0, count: channels)
                dBeta.update(repeating: 0, count: channels)
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * channels) { sums in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * channels) { coefficients in
                guard let sum = sums.baseAddress, let a = coefficients.baseAddress else { return }
                batchNormSums(x, dy: dy, shift: savedMean, rows: rows, channels: channels, first: sum, second: sum + channels)
                batchNormGradientCoefficients(sumDy: sum, sumDyCentered: sum + channels, rows: rows, channels: channels,
                                              gamma: gamma, savedInverseStd: savedInverseStd, dGamma: dGamma, dBeta: dBeta,
                                              accumulate: accumulate, coefficients: a)
                batchNormInputGradient(dy: dy, x: x, savedMean: savedMean, coefficients: a, dx: dx, rows: rows,
                                       channels: channels, accumulate: accumulate)
            }
        }
    }

    /// From `sum dy` and `sum dy * (x - mean)` over all `rows`: writes (or adds) `dGamma` and
    /// `dBeta`, and `coefficients` (`3 * channels` floats: `a`, `b`, `offset`) such that
    /// `dx = a * dy + b * (x - mean) + offset` per channel.
    public static func batchNormGradientCoefficients(
        sumDy: UnsafePointer<Double>, sumDyCentered: UnsafePointer<Double>, rows: Int, channels: Int,
        gamma: UnsafePointer<Float>, savedInverseStd: UnsafePointer<Float>,
        dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>, accumulate: Bool,
        coefficients: UnsafeMutablePointer<Float>
    ) {
        let n = Float(rows)
        let (a, b, offset) = (coefficients, coefficients + channels, coefficients + 2 * channels)
        for channel in 0..<channels {
            let (s, g) = (savedInverseStd[channel], gamma[channel])
            let dBetaValue = Float(sumDy[channel])
            let dGammaValue = Float(sumDyCentered[channel]) * s
            dBeta[channel] = accumulate ? dBeta[channel] + dBetaValue : dBetaValue
            dGamma[channel] = accumulate ? dGamma[channel] + dGammaValue : dGammaValue
            // With xhat * sum(dy * xhat) = (x - mean) * s^2 * sum(dy * (x - mean)):
            // dx = a * dy + b * (x - mean) + offset.
            a[channel] = g * s
            b[channel] = -g * s * s * s * Float(sumDyCentered[channel]) / n
            offset[channel] = -g * s * dBetaValue / n
        }
    }

    /// `dx (+)= a * dy + b * (x - mean) + offset` per channel over `rows` rows, with the
    /// coefficients from `batchNormGradientCoefficients`. `dx` may alias `dy`.
    public static func batchNormInputGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, savedMean: UnsafePointer<Float>,
        coefficients: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, channels: Int, accumulate: Bool
    ) {
        ChannelBlock.forEach(rows: rows, channels: channels) { block in
            withPatterns { center, a, b, offset in
                let first = block.firstChannel
                block.expand(savedMean + first, into: center)
                block.expand(coefficients + first, into: a)
                block.expand(coefficients + channels + first, into: b)
                block.expand(coefficients + 2 * channels + first, into: offset)
                block.forEachRun { start, count in
                    let (xRun, dyRun, dxRun) = (x + start, dy + start, dx + start)
                    if accumulate {
                        for j in 0..<count {
                            dxRun[j] += a[j] * dyRun[j] + b[j] * (xRun[j] - center[j]) + offset[j]
                        }
                    } else {
                        for j in 0..<count {
                            dxRun[j] = a[j] * dyRun[j] + b[j] * (xRun[j] - center[j]) + offset[j]
                        }
                    }
                }
            }
        }
    }

    /// `y = (x - center) * scale + offset` over one channel block, with expanded patterns.
    @inline(__always)
    private static func normalize(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, block: ChannelBlock,
        center: UnsafePointer<Float>, scale: UnsafePointer<Float>, offset: UnsafePointer<Float>
    ) {
        block.forEachRun { start, count in
            let (xRun, yRun) = (x + start, y + start)
            for j in 0..<count { yRun[j] = (xRun[j] - center[j]) * scale[j] + offset[j] }
        }
    }

    /// Four zeroed pattern buffers of `ChannelBlock.maximumWidth` floats on the stack (1 KiB).
    @inline(__always)
    private static func withPatterns(
        _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                 UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let width = ChannelBlock.maximumWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * width) { buffer in
            guard let p = buffer.baseAddress else { return }
            p.initialize(repeating: 0, count: 4 * width)
            body(p, p + width, p + 2 * width, p + 3 * width)
        }
    }
}
