extension Kernels {
    /// Max pooling, NHWC: `y[batch, outH, outW, c] = max of x[batch, inH, inW, c]` over each window.
    ///
    /// `geometry.outChannels` must equal `inChannels`. Padding cells never win (they count as
    /// -infinity); a NaN in a window wins, as in PyTorch, and ties go to the first cell in
    /// row-major window order. `argmax` (`[batch, outH, outW, c]`, caller-owned) receives the flat
    /// index into `x` (over the whole batch) of each winner, for `maxPoolBackward`; a window
    /// with no input cell at all gives -infinity and index -1. A plan that keeps `argmax` in a
    /// float arena can rebind that memory: `Int32` and `Float` have the same size and alignment.
    ///
    /// Gradient: `dy` flows to the winning cell only, `dx[argmax[o]] += dy[o]`.
    public static func maxPool(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
        geometry g: ConvolutionGeometry
    ) {
        if g.inputSize > Int(Int32.max) {
            preconditionFailure("internal: max pooling input of \(g.inputSize) floats overflows Int32 argmax")
        }
        let channels = g.inChannels
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        g.forEachWindow { window, output in
            let (yRow, argRow) = (y + output, argmax + output)
            if window.isEmpty {
                yRow.update(repeating: -.infinity, count: channels)
                argRow.update(repeating: -1, count: channels)
                return
            }
            let firstCell = window.offset(window.iLow, window.jLow)
            // Eight channels at a time stay in registers over the whole window; the first cell
            // competes with itself, which changes nothing.
            var c = 0
            while c + 8 <= channels {
                var best = SIMD8<Float>(loading: x + firstCell + c)
                var winner = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: firstCell + c)) &+ lanes
                window.forEachCell { offset in
                    let v = SIMD8<Float>(loading: x + offset + c)
                    // `v > best` is false for NaN; `v != v` lets a NaN win, as in PyTorch.
                    let wins = (v .> best) .| (v .!= v)
                    best.replace(with: v, where: wins)
                    winner.replace(with: SIMD8(repeating: Int32(truncatingIfNeeded: offset + c)) &+ lanes, where: wins)
                }
                best.store(to: yRow + c)
                winner.store(to: argRow + c)
                c += 8
            }
            for c in c..<channels {
                var best = x[firstCell + c]
                var winner = firstCell + c
                window.forEachCell { offset in
                    let v = x[offset + c]
                    if v > best || v != v { (best, winner) = (v, offset + c) }
                }
                yRow[c] = best
                argRow[c] = Int32(truncatingIfNeeded: winner)
            }
        }
    }

    /// The input gradient of `maxPool`: `dx[argmax[o]] (+)= dy[o]`, `[batch, outH, outW, c] ->
    /// [batch, inH, inW, c]`. Without `accumulate` `dx` is zeroed first, so it is overwritten
    /// entirely; entries of `argmax` below 0 (empty windows) are skipped.
    public static func maxPoolBackward(
        dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<Float>,
        geometry g: ConvolutionGeometry, accumulate: Bool = false
    ) {
        let count = g.batch * g.outHeight * g.outWidth * g.inChannels
        if !accumulate && g.windowsTileInput {
            // Each input cell lies in exactly one window: clear the window, then place its winners
            // while the lines are still in cache (one pass over dx instead of two).
            let channels = g.inChannels
            g.forEachWindow { window, output in
                window.forEachCell { offset in (dx + offset).update(repeating: 0, count: channels) }
                for c in 0..<channels { dx[Int(argmax[output + c])] = dy[output + c] }
            }
            return
        }
        if !accumulate { dx.update(repeating: 0, count: g.inputSize) }
        for o in 0..<count {
            let index = Int(argmax[o])
            if index >= 0 { dx[index] += dy[o] }
        }
    }

    /// Average pooling, NHWC: `y[batch, outH, outW, c]` = the mean of each window's input cells.
    ///
    /// Padding cells are left out of both the sum and the count (PyTorch's
    /// `count_include_pad=False`); a window with no input cell gives 0.
    /// Gradient: each cell of a window with `k` input cells receives `dy / k`.
    public static func averagePool(
        _ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry
    ) {
        let channels = g.inChannels
        g.forEachWindow { window, output in
            let yRow = y + output
            yRow.update(repeating: 0, count: channels)
            if window.isEmpty { return }
            window.forEachCell { offset in
                let cell = x + offset
                for c in 0..<channels { yRow[c] += cell[c] }
            }
            let scale = 1 / Float(window.cells)
            for c in 0..<channels { yRow[c] *= scale }
        }
    }

    /// The input gradient of `averagePool`: each window adds `dy / cells` to each of its input
    /// cells, `[batch, outH, outW, c] -> [batch, inH, inW, c]`. Without `accumulate` `dx` is
    /// zeroed first, so it is overwritten entirely.
    public static func averagePoolBackward(
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry,
        accumulate: Bool = false
    ) {
        if !accumulate { dx.update(repeating: 0, count: g.inputSize) }
        let channels = g.inChannels
        g.forEachWindow { window, output in
            if window.isEmpty { return }
            let dyRow = dy + output
            let scale = 1 / Float(window.cells)
            window.forEachCell { offset in
                let cell = dx + offset
                for c in 0..<channels { cell[c] += dyRow[c] * scale }
            }
        }
    }
}

/// The input cells under one output pixel of a pooling window: kernel rows `iLow..<iHigh` and
/// columns `jLow..<jHigh` fall inside the image (at least one of each unless `isEmpty`).
struct PoolingWindow {
    /// Offset of the image's first float in the batch, and the window's top-left input position.
    let image: Int, top: Int, left: Int
    let iLow: Int, iHigh: Int, jLow: Int, jHigh: Int
    let inWidth: Int, channels: Int

    var isEmpty: Bool { iLow >= iHigh || jLow >= jHigh }

    /// Input cells inside the image (the divisor of average pooling).
    var cells: Int { isEmpty ? 0 : (iHigh - iLow) * (jHigh - jLow) }

    /// Offset in the batch of the first channel of window cell `(i, j)`.
    @inline(__always)
    func offset(_ i: Int, _ j: Int) -> Int { image + ((top + i) * inWidth + left + j) * channels }

    /// Calls `body` with the offset of each cell inside the image, in row-major window order.
    @inline(__always)
    func forEachCell(_ body: (Int) -> Void) {
        for i in iLow..<max(iLow, iHigh) {
            for j in jLow..<max(jLow, jHigh) { body(offset(i, j)) }
        }
    }
}

extension ConvolutionGeometry {
    /// Whether the pooling windows cover the input exactly once: window = stride, no padding,
    /// no leftover rows or columns (2x2 pooling of an even-sized image).
    var windowsTileInput: Bool {
        kernelHeight == strideHeight && kernelWidth == strideWidth && padTop == 0 && padLeft == 0
            && outHeight * kernelHeight == inHeight && outWidth * kernelWidth == inWidth
    }

    /// Calls `body(window, outputOffset)` for each output pixel of the batch in order, where
    /// `outputOffset` is the pixel's first float in `[batch, outH, outW, channels]`.
    @inline(__always)
    func forEachWindow(_ body: (PoolingWindow, Int) -> Void) {
        let channels = inChannels
        var output = 0
        for n in 0..<batch {
            for oh in 0..<outHeight {
                let top = oh * strideHeight - padTop
                for ow in 0..<outWidth {
                    let left = ow * strideWidth - padLeft
                    let window = PoolingWindow(
                        image: n * inHeight * inWidth * channels, top: top, left: left,
                        iLow: max(0, -top), iHigh: min(kernelHeight, inHeight - top),
                        jLow: max(0, -left), jHigh: min(kernelWidth, inWidth - left),
                        inWidth: inWidth, channels: channels)
                    body(window, output)
                    output += channels
                }
            }
        }
    }
}

extension SIMD8 {
    /// Loads eight consecutive values from a possibly unaligned address.
    @inline(__always)
    fileprivate init(loading pointer: UnsafePointer<Scalar>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Scalar>.self)
    }

    /// Stores the eight values at a possibly unaligned address.
    @inline(__always)
    fileprivate func store(to pointer: UnsafeMutablePointer<Scalar>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: SIMD8<Scalar>.self)
    }
}
