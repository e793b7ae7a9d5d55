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

    /// `y[m, n] = activation(patches[m, k] * w[k, n] + bias[n])` for a short `k`: rows four at a
    /// time, 16 (then 8) output channels per vector, the sum in registers, bias first and the
    /// activation applied to each block of rows while it is still in cache. `bias` may be `nil`;
    /// `y` is overwritten and must not alias `patches` or `w`.
    public static func smallPatchProduct(
        _ patches: UnsafePointer<Float>, _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, rows m: Int, patch k: Int, channels n: Int,
        activation: ActivationKind = .linear, parameter: Float = 0
    ) {
        let rowBlock = 64
        var start = 0
        while start < m {
            let end = min(m, start + rowBlock)
            var r = start
            while r + 4 <= end {
                productRows(patches + r * k, w, bias: bias, y + r * n, rows: 4, patch: k, channels: n)
                r += 4
            }
            while r < end {
                productRows(patches + r * k, w, bias: bias, y + r * n, rows: 1, patch: k, channels: n)
                r += 1
            }
            if activation != .linear {
                let block = y + start * n
                activate(activation, parameter: parameter, block, block, count: (end - start) * n)
            }
            start = end
        }
    }

    /// `rows` (1 or 4) consecutive rows of `smallPatchProduct`, without the activation.
    @inline(__always)
    private static func productRows(
        _ patches: UnsafePointer<Float>, _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, rows: Int, patch k: Int, channels n: Int
    ) {
        var f = channelBlocks(patches, w, bias: bias, y, lanes: SIMD16<Float>.self, rows: rows, patch: k, channels: n, from: 0)
        f = channelBlocks(patches, w, bias: bias, y, lanes: SIMD8<Float>.self, rows: rows, patch: k, channels: n, from: f)
        while f < n {
            for row in 0..<rows {
                let patch = patches + row * k
                var sum = bias?[f] ?? 0
                for t in 0..<k { sum += patch[t] * w[t * n + f] }
                y[row * n + f] = sum
            }
            f += 1
        }
    }

    /// Output channels from `first` on, `V.scalarCount` at a time while a whole vector fits;
    /// returns the first channel left.
    @inline(__always)
    private static func channelBlocks<V: SIMD>(
        _ patches: UnsafePointer<Float>, _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, lanes: V.Type, rows: Int, patch k: Int, channels n: Int, from first: Int
    ) -> Int where V.Scalar == Float {
        var f = first
        while f + V.scalarCount <= n {
            channelBlock(patches, w, bias: bias, y, lanes: V.self, rows4: rows == 4, patch: k, channels: n, first: f)
            f += V.scalarCount
        }
        return f
    }

    /// Output channels `first..<first + V.scalarCount` of one or four rows.
    @inline(__always)
    private static func channelBlock<V: SIMD>(
        _ patches: UnsafePointer<Float>, _ w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, lanes: V.Type, rows4: Bool, patch k: Int, channels n: Int, first f: Int
    ) where V.Scalar == Float {
        let start = bias.map { UnsafeRawPointer($0 + f).loadUnaligned(as: V.self) } ?? V()
        let weights = UnsafeRawPointer(w + f)
        let stride = n * MemoryLayout<Float>.stride
        if rows4 {
            var (a0, a1, a2, a3) = (start, start, start, start)
            let (p0, p1, p2, p3) = (patches, patches + k, patches + 2 * k, patches + 3 * k)
            for t in 0..<k {
                let wv = weights.loadUnaligned(fromByteOffset: t * stride, as: V.self)
                a0 = a0.addingProduct(V(repeating: p0[t]), wv)
                a1 = a1.addingProduct(V(repeating: p1[t]), wv)
                a2 = a2.addingProduct(V(repeating: p2[t]), wv)
                a3 = a3.addingProduct(V(repeating: p3[t]), wv)
            }
            let out = UnsafeMutableRawPointer(y + f)
            out.storeBytes(of: a0, as: V.self)
            out.storeBytes(of: a1, toByteOffset: stride, as: V.self)
            out.storeBytes(of: a2, toByteOffset: 2 * stride, as: V.self)
            out.storeBytes(of: a3, toByteOffset: 3 * stride, as: V.self)
        } else {
            var a0 = start
            for t in 0..<k {
                a0 = a0.addingProduct(V(repeating: patches[t]), weights.loadUnaligned(fromByteOffset: t * stride, as: V.self))
            }
            UnsafeMutableRawPointer(y + f).storeBytes(of: a0, as: V.self)
        }
    }
}
