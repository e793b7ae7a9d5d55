extension Kernels {
    /// Layer normalization of each row of `[rows, features]`: `xhat = (x - mean) / sqrt(var +
    /// epsilon)` (the biased variance, as PyTorch), `y = xhat * gamma + beta`. Saves each row's
    /// mean and 1/std for the backward pass.
    public static func layerNorm(_ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>,
                                 beta: UnsafePointer<Float>, savedMean: UnsafeMutablePointer<Float>,
                                 savedInverseStd: UnsafeMutablePointer<Float>, features: Int, epsilon: Float, rows: Range<Int>) {
        for row in rows {
            let input = x + row * features, output = y + row * features
            var sum = 0.0
            for i in 0..<features { sum += Double(input[i]) }
            let mean = sum / Double(features)
            var squares = 0.0
            for i in 0..<features {
                let centered = Double(input[i]) - mean
                squares += centered * centered
            }
            let inverseStd = 1 / (squares / Double(features) + Double(epsilon)).squareRoot()
            let m = Float(mean), s = Float(inverseStd)
            for i in 0..<features { output[i] = (input[i] - m) * s * gamma[i] + beta[i] }
            savedMean[row] = m
            savedInverseStd[row] = s
        }
    }

    /// The input gradient of layer normalization, row by row: with `dxhat = dy * gamma`,
    /// `dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))`.
    public static func layerNormInputGradient(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                                              savedMean: UnsafePointer<Float>, savedInverseStd: UnsafePointer<Float>,
                                              dx: UnsafeMutablePointer<Float>, features: Int, rows: Range<Int>) {
        for row in rows {
            let g = dy + row * features, input = x + row * features, out = dx + row * features
            let mean = savedMean[row], s = savedInverseStd[row]
            var sumDxhat: Float = 0, sumDxhatXhat: Float = 0
            for i in 0..<features {
                let dxhat = g[i] * gamma[i]
                sumDxhat += dxhat
                sumDxhatXhat += dxhat * (input[i] - mean) * s
            }
            let n = Float(features)
            let meanDxhat = sumDxhat / n, meanDxhatXhat = sumDxhatXhat / n
            for i in 0..<features {
                let xhat = (input[i] - mean) * s
                out[i] = s * (g[i] * gamma[i] - meanDxhat - xhat * meanDxhatXhat)
            }
        }
    }

    /// `dgamma = sum over rows of dy * xhat`, `dbeta = sum over rows of dy`, `[features]` each.
    public static func layerNormParameterGradients(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, savedMean: UnsafePointer<Float>,
                                                   savedInverseStd: UnsafePointer<Float>, dGamma: UnsafeMutablePointer<Float>,
                                                   dBeta: UnsafeMutablePointer<Float>, rows: Int, features: Int) {
        dGamma.update(repeating: 0, count: features)
        dBeta.update(repeating: 0, count: features)
        for row in 0..<rows {
            let g = dy + row * features, input = x + row * features
            let mean = savedMean[row], s = savedInverseStd[row]
            for i in 0..<features {
                dGamma[i] += g[i] * (input[i] - mean) * s
                dBeta[i] += g[i]
            }
        }
    }
}
