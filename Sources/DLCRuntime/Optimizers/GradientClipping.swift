/// Rescales gradients so that their global L2 norm stays within a bound, like `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// Scales every gradient by min(1, maxNorm / (globalNorm + 1e-6)) like torch.nn.utils.clip_grad_norm_; returns the norm before clipping.
    ///
    /// globalNorm = sqrt(sum_i ||g_i||^2) over every tensor `gradients[i]` of `counts[i]` values; each
    /// tensor's norm is accumulated in double and rounded to Float, as PyTorch takes the norm of the
    /// per-tensor norms. The scale is computed in Float; a non-finite norm gives non-finite gradients,
    /// as in PyTorch. No allocation.
    @discardableResult
    public static func clip(_ gradients: [UnsafeMutablePointer<Float>], counts: [Int], maxNorm: Float) -> Float {
        precondition(gradients.count == counts.count, "internal: \(gradients.count) gradients but \(counts.count) counts")
        var sumOfSquares: Double = 0
        for i in 0..<gradients.count {
            let norm = Float(squaredNorm(gradients[i], count: counts[i]).squareRoot())
            sumOfSquares += Double(norm) * Double(norm)
        }
        let globalNorm = Float(sumOfSquares.squareRoot())
        let scale = maxNorm / (globalNorm + 1e-6)
        // Written as !(scale >= 1) so that a NaN scale is applied too, like torch.clamp(coef, max=1).
        if !(scale >= 1) {
            for i in 0..<gradients.count {
                let g = gradients[i]
                for j in 0..<counts[i] { g[j] = g[j] * scale }
            }
        }
        return globalNorm
    }

    /// sum_j g[j]^2, accumulated in double.
    private static func squaredNorm(_ g: UnsafeMutablePointer<Float>, count: Int) -> Double {
        var sum: Double = 0
        for j in 0..<count {
            let x = Double(g[j])
            sum += x * x
        }
        return sum
    }
}
