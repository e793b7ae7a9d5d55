extension Executor {
    /// The kernels of graph models: merges, global pooling and layer normalization, each split
    /// into a part per thread over its rows or images when the tensor is large enough.
    func executeGraphKernel(_ kind: Instruction.Kind) {
        switch kind {
        case .concat(let parts, let widths, let y, let outer):
            let total = widths.reduce(0, +)
            let inputs = parts.map { UnsafePointer($0) }
            Parallel.parts(outer, floats: outer * total, threads: threads) { start, n in
                Kernels.concat(inputs, widths: widths, into: y, outer: outer, rows: start..<start + n)
            }
        case .embedding(let ids, let table, let y, let count, let rows, let dimension):
            Parallel.parts(count, floats: count * dimension, threads: threads) { start, n in
                Kernels.embedding(ids: ids + start, table: table, y: y + start * dimension, count: n, rows: rows, dimension: dimension)
            }
        case .embeddingGradient(let dy, let ids, let dtable, let count, let rows, let dimension):
            // Ids repeat, so the rows of the table are summed into on one thread.
            Kernels.embeddingBackward(dy: dy, ids: ids, dtable: dtable, count: count, rows: rows, dimension: dimension)
        case .narrow(let dy, let y, let outer, let total, let start, let width):
            Parallel.parts(outer, floats: outer * total, threads: threads) { first, n in
                Kernels.narrow(dy, into: y, total: total, start: start, width: width, rows: first..<first + n)
            }
        case .globalAveragePool(let x, let y, let batch, let positions, let channels):
            let image = positions * channels
            Parallel.parts(batch, floats: batch * image, threads: threads) { start, n in
                Kernels.globalAveragePool(x + start * image, y: y + start * channels, batch: n, positions: positions, channels: channels)
            }
        case .globalAveragePoolGradient(let dy, let dx, let batch, let positions, let channels):
            let image = positions * channels
            Parallel.parts(batch, floats: batch * image, threads: threads) { start, n in
                Kernels.globalAveragePoolBackward(dy: dy + start * channels, dx: dx + start * image, batch: n, positions: positions,
                                                  channels: channels)
            }
        case .globalMaxPool(let x, let y, let argmax, let batch, let positions, let channels):
            let image = positions * channels
            Parallel.parts(batch, floats: batch * image, threads: threads) { start, n in
                Kernels.globalMaxPool(x + start * image, y: y + start * channels, argmax: argmax + start * channels, batch: n,
                                      positions: positions, channels: channels)
            }
        case .globalMaxPoolGradient(let dy, let argmax, let dx, let batch, let positions, let channels):
            let image = positions * channels
            Parallel.parts(batch, floats: batch * image, threads: threads) { start, n in
                Kernels.globalMaxPoolBackward(dy: dy + start * channels, argmax: argmax + start * channels, dx: dx + start * image,
                                              batch: n, positions: positions, channels: channels)
            }
        case .layerNorm(let x, let y, let gamma, let beta, let saved, let rows, let features, let epsilon):
            Parallel.parts(rows, floats: rows * features, threads: threads) { start, n in
                Kernels.layerNorm(x, y: y, gamma: gamma, beta: beta, savedMean: saved, savedInverseStd: saved + rows,
                                  features: features, epsilon: epsilon, rows: start..<start + n)
            }
        case .layerNormGradient(let dy, let x, let gamma, let saved, let dx, let rows, let features):
            Parallel.parts(rows, floats: rows * features, threads: threads) { start, n in
                Kernels.layerNormInputGradient(dy: dy, x: x, gamma: gamma, savedMean: saved, savedInverseStd: saved + rows, dx: dx,
                                               features: features, rows: start..<start + n)
            }
            let parameterGradients = dx + rows * features
            Kernels.layerNormParameterGradients(dy: dy, x: x, savedMean: saved, savedInverseStd: saved + rows, dGamma: parameterGradients,
                                                dBeta: parameterGradients + features, rows: rows, features: features)
        case .none, .dropoutMask, .matmul, .addBias, .activation, .biasActivation, .softmax, .multiply, .add, .oneHot, .loss,
             .lossGradient, .sumToLastAxis, .activationGradient, .softmaxGradient, .conv2d, .conv2dBiasActivation,
             .conv2dInputGradient, .conv2dWeightGradient, .maxPool, .maxPoolGradient, .averagePool, .averagePoolGradient,
             .batchNormTraining, .batchNormInference, .batchNormGradient, .libraryConvolution, .libraryConvolutionInputGradient,
             .libraryConvolutionWeightGradient, .sequenceLengths, .strideLengths, .maskSteps, .recurrent, .recurrentGradient,
             .sequencePool, .sequencePoolGradient, .attention, .attentionGradient:
            preconditionFailure("internal: \(kind) is not a graph-model kernel")
        }
    }
}
