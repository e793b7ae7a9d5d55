import DLCGraph

extension Kernels {
    /// 2-D convolution, NHWC: `y[batch, outH, outW, cout] = conv(x[batch, inH, inW, cin], w) (+ bias)`.
    ///
    /// `weights` are HWIO `[kh, kw, cin, cout]`, which flattened is `[kh * kw * cin, cout]`, so the
    /// whole batch is one product: `y[pixels, cout] = im2col(x)[pixels, kh * kw * cin] * w`, where
    /// row `(n, oh, ow)` of `im2col(x)` is the input patch under output pixel `(oh, ow)` in `(i, j, c)`
    /// order, zeros where it covers padding. `columns` is caller-owned scratch of
    /// `geometry.columnsSize` floats; a pointwise convolution (1x1, stride 1, no padding) uses
    /// `x` itself as the matrix and never touches `columns`. `bias` is `[cout]` or `nil`.
    /// `y` is overwritten and must not alias `x`, `weights` or `columns`. `activation` is applied
    /// last (a folded bias + activation); the gradients below are of the convolution alone.
    /// Short patches (`smallPatchLimit`) multiply in `smallPatchProduct`, the rest in sgemm;
    /// either way `columns` is left holding `im2col(x)` for `convolutionWeightGradient`.
    ///
    /// Gradients (see `convolutionInputGradient` and `convolutionWeightGradient`):
    /// `dx = col2im(dy * w^T)`, `dw = im2col(x)^T * dy`, `db = sum of dy over batch, outH, outW`.
    public static func convolution(
        _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, geometry: ConvolutionGeometry, columns: UnsafeMutablePointer<Float>,
        activation: ActivationFunction = ActivationFunction(.linear)
    ) {
        let m = geometry.outputPixels, n = geometry.outChannels, k = geometry.patchSize
        if m == 0 || n == 0 { return }
        let patches: UnsafePointer<Float>
        if geometry.isPointwise {
            patches = x
        } else {
            im2col(x, into: columns, geometry: geometry)
            patches = UnsafePointer(columns)
        }
        if k <= smallPatchLimit {
            smallPatchProduct(patches, weights, bias: bias, y, rows: m, patch: k, channels: n,
                              activation: activation.kind, parameter: activation.parameter)
            return
        }
        defer {
            if activation.kind != .linear {
                activate(activation.kind, parameter: activation.parameter, y, y, count: m * n)
            }
        }
        if let bias {
            // Start from the bias and let the product add to it: sgemm reads C either way
            // (with beta = 0 OpenBLAS clears C in a separate pass first).
            for r in 0..<m { (y + r * n).update(from: bias, count: n) }
            matmul(patches, weights, y, m: m, n: n, k: k, accumulate: true)
        } else {
            matmul(patches, weights, y, m: m, n: n, k: k)
        }
    }

    /// The input gradient of `convolution`: `dx[batch, inH, inW, cin] (+)= col2im(dy * w^T)`.
    ///
    /// `dy` is `[batch, outH, outW, cout]`. The product `dy[pixels, cout] * w^T[cout, kh * kw * cin]`
    /// lands in `columns` (`geometry.columnsSize` floats), then each patch row is added back onto
    /// the input pixels it was read from; padding positions are dropped. Without `accumulate`
    /// `dx` is overwritten entirely (its old contents, even NaN, are ignored), with it the
    /// gradient is added to `dx`. `dx` must not alias `dy`, `weights` or `columns`.
    public static func convolutionInputGradient(
        dy: UnsafePointer<Float>, weights: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        geometry: ConvolutionGeometry, columns: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        let m = geometry.outputPixels, n = geometry.outChannels, k = geometry.patchSize
        if geometry.isPointwise {
            // dx[pixels, cin] = dy[pixels, cout] * w[cin, cout]^T.
            matmul(dy, weights, dx, m: m, n: k, k: n, transposeB: true, accumulate: accumulate)
            return
        }
        if !accumulate { dx.update(repeating: 0, count: geometry.inputSize) }
        if m == 0 || k == 0 { return }
        matmul(dy, weights, columns, m: m, n: k, k: n, transposeB: true)
        col2imAdding(UnsafePointer(columns), into: dx, geometry: geometry)
    }

    /// The parameter gradients of `convolution`: `dw[kh, kw, cin, cout] (+)= im2col(x)^T * dy`
    /// and, when `dBias` is not `nil`, `db[cout] (+)= sum of dy over batch, outH, outW`.
    ///
    /// `columns` (`geometry.columnsSize` floats) receives `im2col(x)`, unless `columnsHoldInput`
    /// says it still holds exactly that from the forward `convolution` on the same `x` and
    /// geometry (a plan that keeps the scratch alive between the passes saves the im2col).
    /// Without `accumulate` the gradients are overwritten, with it they are added.
    public static func convolutionWeightGradient(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dWeights: UnsafeMutablePointer<Float>,
        dBias: UnsafeMutablePointer<Float>?, geometry: ConvolutionGeometry,
        columns: UnsafeMutablePointer<Float>, columnsHoldInput: Bool = false, accumulate: Bool = false
    ) {
        let m = geometry.outputPixels, n = geometry.outChannels, k = geometry.patchSize
        let patches: UnsafePointer<Float>
        if geometry.isPointwise {
            patches = x
        } else {
            if !columnsHoldInput { im2col(x, into: columns, geometry: geometry) }
            patches = UnsafePointer(columns)
        }
        // dw[k, n] = patches^T[k, m] * dy[m, n]: the patches are stored [m, k]. (The transposed
        // product dw^T = dy^T * patches measured slower with the patches fresh from im2col.)
        matmul(patches, dy, dWeights, m: k, n: n, k: m, transposeA: true, accumulate: accumulate)
        if let dBias { sumRows(dy, into: dBias, rows: m, columns: n, accumulate: accumulate) }
    }

    /// Writes the patch matrix `[batch * outH * outW, kh * kw * cin]` of `x` into `columns`.
    ///
    /// In NHWC one kernel row of a patch, `kw` neighbouring pixels of `cin` channels, is one
    /// contiguous run of the input, so each patch row is `kh` copies plus zeros for padding.
    public static func im2col(
        _ x: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry
    ) {
        if g.inChannels == 1 {
            singleChannelPatches(UnsafeMutablePointer(mutating: x), columns, geometry: g, adding: false)
            return
        }
        let cin = g.inChannels
        let run = g.kernelWidth * cin
        let patch = g.patchSize
        let imageSize = g.inHeight * g.inWidth * cin
        let rowSize = g.inWidth * cin
        var out = columns
        for n in 0..<g.batch {
            let image = x + n * imageSize
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                for ow in 0..<g.outWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    // Kernel columns jLow..<jHigh fall inside the image.
                    let jLow = max(0, -left), jHigh = min(g.kernelWidth, g.inWidth - left)
                    let inside = jHigh > jLow
                    for i in 0..<g.kernelHeight {
                        let ih = top + i
                        let dst = out + i * run
                        if ih < 0 || ih >= g.inHeight || !inside {
                            dst.update(repeating: 0, count: run)
                            continue
                        }
                        if jLow > 0 { dst.update(repeating: 0, count: jLow * cin) }
                        copyFloats(image + ih * rowSize + (left + jLow) * cin, dst + jLow * cin,
                                   count: (jHigh - jLow) * cin)
                        if jHigh < g.kernelWidth {
                            (dst + jHigh * cin).update(repeating: 0, count: (g.kernelWidth - jHigh) * cin)
                        }
                    }
                    out += patch
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every patch row of `columns` onto the input pixels it was
    /// read from, `dx[batch, inH, inW, cin] += col2im(columns)`; padding positions are dropped.
    public static func col2imAdding(
        _ columns: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry
    ) {
        if g.inChannels == 1 {
            singleChannelPatches(dx, UnsafeMutablePointer(mutating: columns), geometry: g, adding: true)
            return
        }
        let cin = g.inChannels
        let run = g.kernelWidth * cin
        let patch = g.patchSize
        let imageSize = g.inHeight * g.inWidth * cin
        let rowSize = g.inWidth * cin
        var source = columns
        for n in 0..<g.batch {
            let image = dx + n * imageSize
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                let iLow = max(0, -top), iHigh = min(g.kernelHeight, g.inHeight - top)
                for ow in 0..<g.outWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    let jLow = max(0, -left), jHigh = min(g.kernelWidth, g.inWidth - left)
                    if jHigh > jLow {
                        let count = (jHigh - jLow) * cin
                        for i in iLow..<max(iLow, iHigh) {
                            let src = source + i * run + jLow * cin
                            let dst = image + (top + i) * rowSize + (left + jLow) * cin
                            for c in 0..<count { dst[c] += src[c] }
                        }
                    }
                    source += patch
                }
            }
        }
    }

    /// im2col (or, `adding`, col2im) for single-channel inputs (a grayscale image), where a
    /// copy per kernel row would move 1 to 3 floats per call: for each output row and kernel
    /// tap `(i, j)`, one strided loop over the output columns moves a float per pixel between
    /// the image row and the patch rows. Measured on 64 28x28 images with a 3x3 kernel it is
    /// about 3x faster than the copies; from 2 channels on, the copies win.
    /// Without `adding`: `columns = im2col(x)`, zeros for padding; with it: `x += col2im(columns)`.
    static func singleChannelPatches(
        _ x: UnsafeMutablePointer<Float>, _ columns: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, adding: Bool
    ) {
        let patch = g.patchSize
        let step = g.strideWidth   // input floats between neighbouring output pixels
        for n in 0..<g.batch {
            let image = x + n * g.inHeight * g.inWidth
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                let band = columns + (n * g.outHeight + oh) * g.outWidth * patch
                for i in 0..<g.kernelHeight {
                    let ih = top + i
                    for j in 0..<g.kernelWidth {
                        let tap = band + i * g.kernelWidth + j
                        // Output columns owLow..<owHigh read input column ow * stride - before inside the image.
                        let before = g.padLeft - j
                        let owLow = min(g.outWidth, before > 0 ? (before + step - 1) / step : 0)
                        let last = g.inWidth - 1 + before
                        let owHigh = ih < 0 || ih >= g.inHeight || last < 0
                            ? owLow : max(owLow, min(g.outWidth, last / step + 1))
                        if !adding {
                            for ow in 0..<owLow { tap[ow * patch] = 0 }
                            for ow in owHigh..<g.outWidth { tap[ow * patch] = 0 }
                        }
                        if owHigh == owLow { continue }
                        let row = image + ih * g.inWidth + owLow * step - before
                        let out = tap + owLow * patch
                        if adding {
                            for p in 0..<owHigh - owLow { row[p * step] += out[p * patch] }
                        } else {
                            for p in 0..<owHigh - owLow { out[p * patch] = row[p * step] }
                        }
                    }
                }
            }
        }
    }

    /// Copies `count` floats; short runs (a few channels) in an inline loop, long ones by memmove.
    @inline(__always)
    static func copyFloats(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        if count <= 8 {
            for c in 0..<count { destination[c] = source[c] }
        } else {
            destination.update(from: source, count: count)
        }
    }
}
