import DLCGraph

extension Executor {
    /// Runs one instruction's kernel, splitting its work over `threads` where that pays.
    @inline(__always)
    func execute(_ instruction: Instruction) {
        switch instruction.kind {
        case .none:
            break
        case .dropoutMask(let output, let count, let rate, let stream):
            let rows = max(graph.batchSize, 1)
            Kernels.dropoutMask(output, rows: rows, width: count / rows, rate: rate, seed: dropoutSeed, stream: stream,
                                step: dropoutStep, firstRow: dropoutFirstRow)
        case .matmul(let a, let b, let c, let m, let n, let k, let transposeA, let transposeB):
            Kernels.matmul(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        case .addBias(let x, let bias, let y, let rows, let columns):
            if x != y { Kernels.copy(x, into: y, count: rows * columns) }
            Kernels.addBias(y, bias, rows: rows, columns: columns)
        case .activation(let f, let x, let y, let count):
            Parallel.parts(count, floats: count, threads: threads) { start, n in
                Kernels.activate(f.kind, parameter: f.parameter, x + start, y + start, count: n)
            }
        case .biasActivation(let f, let x, let bias, let y, let rows, let columns):
            Parallel.parts(rows, floats: rows * columns, threads: threads) { start, n in
                Kernels.biasActivate(f.kind, parameter: f.parameter, x + start * columns, bias: bias, y + start * columns,
                                     rows: n, columns: columns)
            }
        case .softmax(let x, let y, let rows, let columns):
            Kernels.softmax(x, y, rows: rows, columns: columns)
        case .multiply(let a, let b, let y, let count):
            Kernels.multiply(a, b, into: y, count: count)
        case .add(let a, let b, let y, let count):
            Kernels.add(a, b, into: y, count: count)
        case .oneHot(let labels, let y, let rows, let classes):
            Kernels.oneHot(labels: labels, rows: rows, classes: classes, into: y)
        case .loss(let kind, let prediction, let target, let weights, let output, let rows, let columns, let gradient, let scratch):
            output.pointee = LossKernel.run(kind, prediction: prediction, target: target, weights: weights, rows: rows, columns: columns,
                                            gradient: gradient, scratch: scratch)
            if let gradient, lossGradientScale != 1 { Kernels.scale(gradient, by: lossGradientScale, count: rows * columns) }
        case .lossGradient(let kind, let prediction, let target, let weights, let gradient, let rows, let columns, let scratch):
            _ = LossKernel.run(kind, prediction: prediction, target: target, weights: weights, rows: rows, columns: columns,
                               gradient: gradient, scratch: scratch)
            if lossGradientScale != 1 { Kernels.scale(gradient, by: lossGradientScale, count: rows * columns) }
        case .sumToLastAxis(let dy, let db, let rows, let columns):
            // A part's column sums go into `db` (the first) or a buffer kept for this, then add up in order.
            let parts = min(Parallel.partCount(rows, floats: rows * columns, threads: threads), partialSums.count / max(columns, 1) + 1)
            if parts > 1 {
                let partial = partialSums.baseAddress!
                Parallel.run(parts: parts) { part in
                    let start = part * rows / parts, end = (part + 1) * rows / parts
                    Kernels.sumRows(dy + start * columns, into: part == 0 ? db : partial + (part - 1) * columns,
                                    rows: end - start, columns: columns, accumulate: false)
                }
                for part in 1..<parts { Kernels.add(db, partial + (part - 1) * columns, into: db, count: columns) }
            } else {
                Kernels.sumRows(dy, into: db, rows: rows, columns: columns, accumulate: false)
            }
        case .activationGradient(let f, let x, let y, let dy, let dx, let count):
            Parallel.parts(count, floats: count, threads: threads) { start, n in
                Kernels.activateBackward(f.kind, parameter: f.parameter, x: x + start, y: y + start, dy: dy + start, dx: dx + start,
                                         count: n, accumulate: false)
            }
        case .softmaxGradient(let y, let dy, let dx, let rows, let columns):
            Kernels.softmaxBackward(y: y, dy: dy, dx: dx, rows: rows, columns: columns, accumulate: false)
        // Convolutions split the batch into a part per thread (see `Parallel.convolutionParts`): a
        // part's rows of the im2col matrix, output and input gradient are its own; its weight
        // gradient is a partial sum, the later parts' kept in `partialSums` and added in order after.
        case .conv2d(let x, let w, let y, let geometry, let columns):
            Parallel.convolutionParts(geometry, threads: threads) { _, start, n in
                let part = geometry.images(n)
                Kernels.convolution(x + start * part.image, weights: w, bias: nil, y: y + start * part.output,
                                    geometry: part.geometry, columns: columns + start * geometry.columnsPerImage)
            }
        case .conv2dBiasActivation(let x, let w, let bias, let y, let f, let geometry, let columns):
            Parallel.convolutionParts(geometry, threads: threads) { _, start, n in
                let part = geometry.images(n)
                Kernels.convolution(x + start * part.image, weights: w, bias: bias, y: y + start * part.output,
                                    geometry: part.geometry, columns: columns + start * geometry.columnsPerImage, activation: f)
            }
        case .conv2dInputGradient(let dy, let w, let dx, let geometry, let columns):
            Parallel.convolutionParts(geometry, threads: threads) { _, start, n in
                let part = geometry.images(n)
                Kernels.convolutionInputGradient(dy: dy + start * part.output, weights: w, dx: dx + start * part.image,
                                                 geometry: part.geometry, columns: columns + start * geometry.columnsPerImage)
            }
        case .conv2dWeightGradient(let x, let dy, let dw, let geometry, let columns, let columnsHoldInput):
            let weights = geometry.weightsSize
            let partial = partialSums.baseAddress!
            Parallel.convolutionParts(geometry, threads: threads) { part, start, n in
                let images = geometry.images(n)
                Kernels.convolutionWeightGradient(x: x + start * images.image, dy: dy + start * images.output,
                                                  dWeights: part == 0 ? dw : partial + (part - 1) * weights, dBias: nil,
                                                  geometry: images.geometry, columns: columns + start * geometry.columnsPerImage,
                                                  columnsHoldInput: columnsHoldInput)
            }
            for part in 1..<Parallel.convolutionPartCount(geometry, threads: threads) {
                Kernels.add(dw, partial + (part - 1) * weights, into: dw, count: weights)
            }
        // Pooling splits the batch into parts; a part's winners are indices into that part's input,
        // and the backward pass splits the same way, so they line up.
        case .maxPool(let x, let y, let argmax, let geometry):
            Parallel.parts(geometry.batch, floats: geometry.inputSize, threads: threads) { start, n in
                let part = geometry.images(n)
                Kernels.maxPool(x + start * part.image, y: y + start * part.output, argmax: argmax + start * part.output,
                                geometry: part.geometry)
            }
        case .maxPoolGradient(let dy, let argmax, let dx, let geometry, let pooled):
            Parallel.parts(geometry.batch, floats: geometry.inputSize, threads: threads) { start, n in
                let part = geometry.images(n)
                let (o, i) = (start * part.output, start * part.image)
                if let pooled {
                    Kernels.maxPoolBackwardThroughReLU(dy: dy + o, pooled: pooled + o, argmax: argmax + o, dx: dx + i, geometry: part.geometry)
                } else {
                    Kernels.maxPoolBackward(dy: dy + o, argmax: argmax + o, dx: dx + i, geometry: part.geometry)
                }
            }
        case .averagePool(let x, let y, let geometry):
            Parallel.parts(geometry.batch, floats: geometry.inputSize, threads: threads) { start, n in
                let part = geometry.images(n)
                Kernels.averagePool(x + start * part.image, y: y + start * part.output, geometry: part.geometry)
            }
        case .averagePoolGradient(let dy, let dx, let geometry):
            Parallel.parts(geometry.batch, floats: geometry.inputSize, threads: threads) { start, n in
                let part = geometry.images(n)
                Kernels.averagePoolBackward(dy: dy + start * part.output, dx: dx + start * part.image, geometry: part.geometry)
            }
        // Batch norm splits its rows into parts: each part's per-channel sums (the same shift for
        // all) add up in order, the statistics or gradient coefficients follow on this thread, and
        // the elementwise pass splits again.
        case .batchNormTraining(let x, let y, let gamma, let beta, let mean, let variance, let saved, let rows, let channels,
                                let momentum, let epsilon, let synchronized):
            if synchronized, let collective, collective.isDistributed {
                synchronizedBatchNorm(x, y: y, gamma: gamma, beta: beta, runningMean: mean, runningVariance: variance, saved: saved,
                                      rows: rows, channels: channels, momentum: momentum, epsilon: epsilon, collective: collective)
                break
            }
            let sums = channelSums(x, dy: nil, shift: x, rows: rows, channels: channels)
            guard let sums else {
                Kernels.batchNormTraining(x, y: y, gamma: gamma, beta: beta, runningMean: mean, runningVariance: variance,
                                          savedMean: saved, savedInverseStd: saved + channels, rows: rows, channels: channels,
                                          momentum: momentum, epsilon: epsilon)
                break
            }
            Kernels.batchNormStatistics(shift: x, sum: sums, sumOfSquares: sums + channels, rows: rows, channels: channels,
                                        savedMean: saved, savedInverseStd: saved + channels, runningMean: mean,
                                        runningVariance: variance, momentum: momentum, epsilon: epsilon)
            Parallel.parts(rows, floats: rows * channels, threads: threads) { start, n in
                Kernels.batchNormNormalize(x + start * channels, y: y + start * channels, rows: n, channels: channels,
                                           mean: saved, inverseStd: saved + channels, gamma: gamma, beta: beta)
            }
        case .batchNormInference(let x, let y, let gamma, let beta, let mean, let variance, let rows, let channels, let epsilon):
            Parallel.parts(rows, floats: rows * channels, threads: threads) { start, n in
                Kernels.batchNormInference(x + start * channels, y: y + start * channels, gamma: gamma, beta: beta,
                                           runningMean: mean, runningVariance: variance, rows: n, channels: channels, epsilon: epsilon)
            }
        case .batchNormGradient(let dy, let x, let gamma, let saved, let dx, let rows, let channels, let synchronized):
            let parameterGradients = dx + rows * channels
            if synchronized, let collective, collective.isDistributed {
                synchronizedBatchNormGradient(dy: dy, x: x, gamma: gamma, saved: saved, dx: dx, rows: rows, channels: channels,
                                              collective: collective)
                break
            }
            let sums = channelSums(x, dy: dy, shift: saved, rows: rows, channels: channels)
            guard let sums else {
                Kernels.batchNormBackward(dy: dy, x: x, gamma: gamma, savedMean: saved, savedInverseStd: saved + channels, dx: dx,
                                          dGamma: parameterGradients, dBeta: parameterGradients + channels, rows: rows, channels: channels)
                break
            }
            let coefficients = partialSums.baseAddress!
            Kernels.batchNormGradientCoefficients(sumDy: sums, sumDyCentered: sums + channels, rows: rows, channels: channels,
                                                  gamma: gamma, savedInverseStd: saved + channels, dGamma: parameterGradients,
                                                  dBeta: parameterGradients + channels, accumulate: false, coefficients: coefficients)
            Parallel.parts(rows, floats: rows * channels, threads: threads) { start, n in
                Kernels.batchNormInputGradient(dy: dy + start * channels, x: x + start * channels, savedMean: saved,
                                               coefficients: coefficients, dx: dx + start * channels, rows: n,
                                               channels: channels, accumulate: false)
            }
        case .libraryConvolution(let convolution, let x, let w, let y):
            convolution.forward(x: x, weights: w, y: y)
        case .libraryConvolutionInputGradient(let convolution, let dy, let w, let dx):
            convolution.inputGradient(dy: dy, weights: w, dx: dx)
        case .libraryConvolutionWeightGradient(let convolution, let x, let dy, let dw):
            convolution.weightGradient(x: x, dy: dy, dw: dw)
        case .concat, .narrow, .embedding, .embeddingGradient, .globalAveragePool, .globalAveragePoolGradient, .globalMaxPool, .globalMaxPoolGradient,
             .layerNorm, .layerNormGradient:
            executeGraphKernel(instruction.kind)
        case .sequenceLengths(let ids, let lengths, let batch, let steps):
            Kernels.sequenceLengths(ids: ids, lengths: lengths, batch: batch, steps: steps)
        case .strideLengths(let lengths, let y, let batch, let stride, let limit):
            Kernels.strideLengths(lengths, y: y, batch: batch, stride: stride, limit: limit)
        case .maskSteps(let x, let lengths, let y, let batch, let steps, let inner):
            Kernels.maskSteps(x, lengths: lengths, y: y, batch: batch, steps: steps, inner: inner)
        case .sequencePool(let x, let lengths, let y, let argmax, let batch, let steps, let channels):
            Kernels.sequencePool(x, lengths: lengths, y: y, argmax: argmax, batch: batch, steps: steps, channels: channels)
        case .sequencePoolGradient(let dy, let lengths, let argmax, let dx, let batch, let steps, let channels):
            Kernels.sequencePoolBackward(dy: dy, lengths: lengths, argmax: argmax, dx: dx, batch: batch, steps: steps, channels: channels)
        case .attention(let kernel):
            kernel.forward()
        case .attentionGradient(let kernel, let dy, let dqkv):
            kernel.backward(dy: dy, dqkv: dqkv)
        case .recurrent(let kernel):
            kernel.forward()
        case .recurrentGradient(let kernel):
            kernel.run()
        }
    }
}

extension Executor {
    /// Batch norm's per-channel sums (`Kernels.batchNormSums`) of a matrix large enough to split,
    /// a part per thread, added up in part order into the first part's `2 * channels` doubles of
    /// `channelSumBuffer`; `nil` when it stays whole (the caller runs the one-thread kernel).
    func channelSums(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>?, shift: UnsafePointer<Float>,
                     rows: Int, channels: Int) -> UnsafeMutablePointer<Double>? {
        let parts = Parallel.partCount(rows, floats: rows * channels, threads: threads)
        guard parts > 1, let sums = channelSumBuffer.baseAddress, parts * 2 * channels <= channelSumBuffer.count,
              3 * channels <= partialSumCount else { return nil }
        Parallel.run(parts: parts) { part in
            let start = part * rows / parts, end = (part + 1) * rows / parts
            let out = sums + part * 2 * channels
            Kernels.batchNormSums(x + start * channels, dy: dy.map { $0 + start * channels }, shift: shift, rows: end - start,
                                  channels: channels, first: out, second: out + channels)
        }
        for part in 1..<parts {
            let partial = sums + part * 2 * channels
            for i in 0..<2 * channels { sums[i] += partial[i] }
        }
        return sums
    }
}

/// Dispatches a loss kind to its kernel.
enum LossKernel {
    static func run(_ kind: LossKind, prediction: UnsafeMutablePointer<Float>, target: UnsafeMutablePointer<Float>,
                    weights: UnsafeMutablePointer<Float>? = nil, rows: Int, columns: Int, gradient: UnsafeMutablePointer<Float>?,
                    scratch: UnsafeMutablePointer<Float>) -> Float {
        if let weights {
            return Kernels.classWeightedLoss(kind, prediction: prediction, labels: target, weights: weights, rows: rows, columns: columns,
                                             gradient: gradient, scratch: scratch)
        }
        switch kind {
        case .meanSquaredError:
            return Kernels.meanSquaredError(prediction: prediction, target: target, count: rows * columns, gradient: gradient)
        case .meanAbsoluteError:
            return Kernels.meanAbsoluteError(prediction: prediction, target: target, count: rows * columns, gradient: gradient)
        case .crossEntropy(let smoothing):
            return Kernels.crossEntropy(probabilities: prediction, labels: target, rows: rows, classes: columns,
                                        labelSmoothing: smoothing, gradient: gradient)
        case .binaryCrossEntropy:
            return Kernels.binaryCrossEntropy(probabilities: prediction, labels: target, count: rows * columns, gradient: gradient)
        case .softmaxCrossEntropy(let smoothing):
            return Kernels.softmaxCrossEntropy(logits: prediction, labels: target, rows: rows, classes: columns,
                                               labelSmoothing: smoothing, probabilities: scratch, gradient: gradient)
        case .sigmoidBinaryCrossEntropy:
            return Kernels.sigmoidBinaryCrossEntropy(logits: prediction, labels: target, count: rows * columns,
                                                     probabilities: scratch, gradient: gradient)
        }
    }
}
