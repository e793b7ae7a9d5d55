import DLCGraph

/// Batch norm over the whole batch of a data-parallel step (`batchnorm: {sync: true}`): each
/// rank sums its part's rows, one sum over the ranks gives the batch's, and every rank
/// normalizes with the same statistics (PyTorch's `SyncBatchNorm`). The gradient sums likewise;
/// the parameters' gradients stay each rank's part (the trainer sums those with the others).
extension Executor {
    /// Forward: each rank's count, mean and squared deviations (about its own first row, as one
    /// process shifts its sums, so that a small variance keeps its digits) go into one sum over
    /// the ranks as `[rows, rows * mean, deviations + rows * mean^2]`, in doubles, from which
    /// every rank takes the batch's mean and variance.
    func synchronizedBatchNorm(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
        rows: Int, channels: Int, momentum: Float, epsilon: Float, collective: Collective
    ) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 1 + 2 * channels) { sums in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: channels) { zeros in
                sums.initialize(repeating: 0)
                zeros.initialize(repeating: 0)
                let first = sums.baseAddress! + 1, second = first + channels
                if contributesRows && rows > 0 {
                    localSums(x, dy: nil, shift: x, rows: rows, channels: channels, into: first)
                    let n = Double(rows)
                    for channel in 0..<channels {
                        let mean = Double(x[channel]) + first[channel] / n
                        let deviations = max(second[channel] - first[channel] * first[channel] / n, 0)
                        first[channel] = n * mean
                        second[channel] = deviations + n * mean * mean
                    }
                    sums[0] = n
                }
                collective.sum(sums)
                Kernels.batchNormStatistics(shift: zeros.baseAddress!, sum: first, sumOfSquares: second, rows: Int(sums[0].rounded()),
                                            channels: channels, savedMean: saved, savedInverseStd: saved + channels,
                                            runningMean: runningMean, runningVariance: runningVariance, momentum: momentum, epsilon: epsilon)
            }
        }
        Parallel.parts(rows, floats: rows * channels, threads: threads) { start, n in
            Kernels.batchNormNormalize(x + start * channels, y: y + start * channels, rows: n, channels: channels,
                                       mean: saved, inverseStd: saved + channels, gamma: gamma, beta: beta)
        }
    }

    /// Backward: `dgamma` and `dbeta` from this rank's rows; `dx` from the batch's
    /// `[rows, sum dy, sum dy * (x - mean)]`, summed over the ranks.
    func synchronizedBatchNormGradient(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, saved: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, rows: Int, channels: Int, collective: Collective
    ) {
        let parameterGradients = dx + rows * channels
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 1 + 2 * channels) { sums in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * channels) { scratch in
                sums.initialize(repeating: 0)
                let first = sums.baseAddress! + 1
                let coefficients = scratch.baseAddress!, unused = coefficients + 3 * channels
                if contributesRows {
                    sums[0] = Double(rows)
                    localSums(x, dy: dy, shift: saved, rows: rows, channels: channels, into: first)
                }
                // This rank's share of dgamma and dbeta (the coefficients of this call are not used).
                Kernels.batchNormGradientCoefficients(sumDy: first, sumDyCentered: first + channels, rows: max(rows, 1), channels: channels,
                                                      gamma: gamma, savedInverseStd: saved + channels, dGamma: parameterGradients,
                                                      dBeta: parameterGradients + channels, accumulate: false, coefficients: coefficients)
                collective.sum(sums)
                Kernels.batchNormGradientCoefficients(sumDy: first, sumDyCentered: first + channels, rows: max(Int(sums[0].rounded()), 1),
                                                      channels: channels, gamma: gamma, savedInverseStd: saved + channels,
                                                      dGamma: unused, dBeta: unused + channels, accumulate: false, coefficients: coefficients)
                Parallel.parts(rows, floats: rows * channels, threads: threads) { start, n in
                    Kernels.batchNormInputGradient(dy: dy + start * channels, x: x + start * channels, savedMean: saved,
                                                   coefficients: coefficients, dx: dx + start * channels, rows: n,
                                                   channels: channels, accumulate: false)
                }
            }
        }
    }

    /// This rank's per-channel sums into `first` and `first + channels` (split over threads).
    private func localSums(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>?, shift: UnsafePointer<Float>, rows: Int, channels: Int,
                           into first: UnsafeMutablePointer<Double>) {
        if let split = channelSums(x, dy: dy, shift: shift, rows: rows, channels: channels) {
            first.update(from: split, count: 2 * channels)
        } else {
            Kernels.batchNormSums(x, dy: dy, shift: shift, rows: rows, channels: channels, first: first, second: first + channels)
        }
    }
}
