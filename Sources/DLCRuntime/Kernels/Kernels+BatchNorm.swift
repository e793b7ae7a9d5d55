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
    public static func batchNormTraining(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
        savedMean: UnsafeMutablePointer<Float>, savedInverseStd: UnsafeMutablePointer<Float>,
        rows: Int, channels: Int, momentum: Float, epsilon: Float
    ) {
        if rows == 0 { return }
        let n = Double(rows)
        let unbiasing = rows > 1 ? n / (n - 1) : 1
        ChannelBlock.forEach(rows: rows, channels: channels) { block in
            withPatterns { shift, scale, offset, _ in
                block.expand(x + block.firstChannel, into: shift)   // the first row
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * ChannelBlock.maximumWidth) { sums in
                    guard let sum = sums.baseAddress else { return }
                    let sumOfSquares = sum + ChannelBlock.maximumWidth
                    block.sums(x, shift: shift, dy: nil, first: sum, second: sumOfSquares)
                    for c in 0..<block.channelCount {
                        let channel = block.firstChannel + c
                        let shiftedMean = sum[c] / n
                        let variance = max(sumOfSquares[c] / n - shiftedMean * shiftedMean, 0)
                        let mean = Float(Double(shift[c]) + shiftedMean)
                        savedMean[channel] = mean
                        savedInverseStd[channel] = Float(1 / (variance + Double(epsilon)).squareRoot())
                        runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * mean
                        runningVariance[channel] = (1 - momentum) * runningVariance[channel]
                            + momentum * Float(variance * unbiasing)
                        scale[c] = savedInverseStd[channel] * gamma[channel]
                    }
                }
                block.expand(savedMean + block.firstChannel, into: shift)
                block.repeatPattern(scale)
                block.expand(beta + block.firstChannel, into: offset)
                normalize(x, y, block: block, center: shift, scale: scale, offset: offset)
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
    public static func batchNormBackward(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        savedMean: UnsafePointer<Float>, savedInverseStd: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
        rows: Int, channels: Int, accumulate: Bool = false
    ) {
        if rows == 0 {
            if !accumulate {
                dGamma.update(repeating: 0, count: channels)
                dBeta.update(repeating: 0, count: channels)
            }
            return
        }
        let n = Float(rows)
        ChannelBlock.forEach(rows: rows, channels: channels) { block in
            withPatterns { center, a, b, offset in
                block.expand(savedMean + block.firstChannel, into: center)
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * ChannelBlock.maximumWidth) { sums in
                    guard let sumDy = sums.baseAddress else { return }
                    let sumDyCentered = sumDy + ChannelBlock.maximumWidth   // sum dy * (x - mean)
                    block.sums(x, shift: center, dy: dy, first: sumDy, second: sumDyCentered)
                    for c in 0..<block.channelCount {
                        let channel = block.firstChannel + c
                        let (s, g) = (savedInverseStd[channel], gamma[channel])
                        let dBetaValue = Float(sumDy[c])
                        let dGammaValue = Float(sumDyCentered[c]) * s
                        dBeta[channel] = accumulate ? dBeta[channel] + dBetaValue : dBetaValue
                        dGamma[channel] = accumulate ? dGamma[channel] + dGammaValue : dGammaValue
                        // With xhat * sum(dy * xhat) = (x - mean) * s^2 * sum(dy * (x - mean)):
                        // dx = a * dy + b * (x - mean) + offset.
                        a[c] = g * s
                        b[c] = -g * s * s * s * Float(sumDyCentered[c]) / n
                        offset[c] = -g * s * dBetaValue / n
                    }
                }
                block.repeatPattern(a)
                block.repeatPattern(b)
                block.repeatPattern(offset)
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

/// How the batch-norm kernels walk a `[rows, channels]` matrix with long, index-free inner loops.
///
/// The channels split into blocks of at most `maximumWidth`; each block is visited as runs of
/// contiguous floats whose element `j` belongs to channel `firstChannel + j % channelCount`. With
/// few channels a run spans several whole rows (`maximumWidth / channels` of them), so even one
/// channel gets 64-float inner loops; per-channel values are "expanded" into 64-float patterns
/// that line up with every run. Scratch lives on the stack (at most 1 KiB per buffer), so the
/// kernels never allocate.
struct ChannelBlock {
    static let maximumWidth = 64

    let rows: Int
    let channels: Int
    let firstChannel: Int
    let channelCount: Int
    let rowsPerRun: Int

    /// Floats in a full run, at most `maximumWidth`.
    var runLength: Int { rowsPerRun * channelCount }

    /// Calls `body` for each channel block of a `[rows, channels]` matrix, in order.
    @inline(__always)
    static func forEach(rows: Int, channels: Int, _ body: (ChannelBlock) -> Void) {
        if channels <= 0 { return }
        if channels <= maximumWidth {
            body(ChannelBlock(rows: rows, channels: channels, firstChannel: 0, channelCount: channels,
                              rowsPerRun: maximumWidth / channels))
            return
        }
        var first = 0
        while first < channels {
            body(ChannelBlock(rows: rows, channels: channels, firstChannel: first,
                              channelCount: min(maximumWidth, channels - first), rowsPerRun: 1))
            first += maximumWidth
        }
    }

    /// Calls `body(start, count)` for each run of the block: the element offset of its first
    /// float in the matrix and its length (`runLength`, or `channelCount` for leftover rows).
    @inline(__always)
    func forEachRun(_ body: (_ start: Int, _ count: Int) -> Void) {
        let fullRuns = rows / rowsPerRun
        let runStride = rowsPerRun * channels
        for r in 0..<fullRuns { body(r * runStride + firstChannel, runLength) }
        for row in fullRuns * rowsPerRun ..< rows { body(row * channels + firstChannel, channelCount) }
    }

    /// Fills `pattern[channelCount..<runLength]` by repeating its first `channelCount` values.
    @inline(__always)
    func repeatPattern(_ pattern: UnsafeMutablePointer<Float>) {
        for j in channelCount..<max(channelCount, runLength) { pattern[j] = pattern[j - channelCount] }
    }

    /// `pattern[j] = values[j % channelCount]` for `j < runLength`; `values` holds the block's channels.
    @inline(__always)
    func expand(_ values: UnsafePointer<Float>, into pattern: UnsafeMutablePointer<Float>) {
        pattern.update(from: values, count: channelCount)
        repeatPattern(pattern)
    }

    /// Per-channel sums over all rows, written to `first` and `second` (`channelCount` each):
    /// `sum (x - shift)` and `sum (x - shift)^2`, or with `dy` given, `sum dy` and
    /// `sum dy * (x - shift)`. `shift` is an expanded pattern. Float partial sums over at most
    /// 256 runs go into `Double` totals, so the error does not grow with the number of rows.
    func sums(
        _ x: UnsafePointer<Float>, shift: UnsafePointer<Float>, dy: UnsafePointer<Float>?,
        first: UnsafeMutablePointer<Double>, second: UnsafeMutablePointer<Double>
    ) {
        let width = Self.maximumWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * width) { partialBuffer in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * width) { totalBuffer in
                guard let p1 = partialBuffer.baseAddress, let t1 = totalBuffer.baseAddress else { return }
                let (p2, t2) = (p1 + width, t1 + width)
                p1.initialize(repeating: 0, count: 2 * width)
                t1.initialize(repeating: 0, count: 2 * width)
                func flush() {
                    for j in 0..<width {
                        t1[j] += Double(p1[j])
                        t2[j] += Double(p2[j])
                    }
                    p1.update(repeating: 0, count: 2 * width)
                }
                var runsInPartial = 0
                forEachRun { start, count in
                    let xRun = x + start
                    if let dy {
                        let dyRun = dy + start
                        for j in 0..<count {
                            let g = dyRun[j]
                            p1[j] += g
                            p2[j] += g * (xRun[j] - shift[j])
                        }
                    } else {
                        for j in 0..<count {
                            let d = xRun[j] - shift[j]
                            p1[j] += d
                            p2[j] += d * d
                        }
                    }
                    runsInPartial += 1
                    if runsInPartial == 256 {
                        flush()
                        runsInPartial = 0
                    }
                }
                flush()
                for c in 0..<channelCount {
                    var (s1, s2) = (0.0, 0.0)
                    var j = c
                    while j < runLength {
                        s1 += t1[j]
                        s2 += t2[j]
                        j += channelCount
                    }
                    first[c] = s1
                    second[c] = s2
                }
            }
        }
    }
}
