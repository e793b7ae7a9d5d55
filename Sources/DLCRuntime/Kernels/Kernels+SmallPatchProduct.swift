import DLCGraph

extension Kernels {
    /// Patches up to this many floats (`kernelHeight * kernelWidth * inChannels`: a 3x3 kernel
    /// over up to 3 channels, a 5x5 over one) take `smallPatchProduct` instead of `cblas_sgemm`.
    ///
    /// With so short a sum the product is bound by writing the output, and sgemm writes it twice
    /// more than needed: the bias copied in first, the activation in a pass of its own. On the
    /// MNIST CNN's first layer (64 images of 28x28x1, 32 filters of 3x3, relu; both batch halves
    /// at once) the forward pass took 0.90-0.93 ms a step through sgemm, 0.75-0.78 ms through this.
    public static let smallPatchLimit = 32

    /// `y[m, n] = activation(patches[m, k] * w[k, n] + bias[n])` for a short `k`, through
    /// `smallProduct` (bias first, the sum in registers) 64 rows at a time, each block's activation
    /// applied while it is still in cache. `bias` may be `nil`; `y` is overwritten and must not alias
    /// `patches` or `w`.
    public static func smallPatchProduct(
        _ patches: UnsafePointer<Float>, _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, rows m: Int, patch k: Int, channels n: Int,
        activation: ActivationKind = .linear, parameter: Float = 0
    ) {
        let rowBlock = 64
        var start = 0
        while start < m {
            let end = min(m, start + rowBlock)
            smallProduct(patches + start * k, lda: k, w, ldb: n, bias: bias, y + start * n, ldc: n, m: end - start, n: n, k: k)
            if activation != .linear {
                let block = y + start * n
                activate(activation, parameter: parameter, block, block, count: (end - start) * n)
            }
            start = end
        }
    }
}
