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
        let channels = g.inChannels
        let imageSize = g.inHeight * g.inWidth * channels
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        var output = 0
        for n in 0..<g.batch {
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                let iLow = max(0, -top), iHigh = min(g.kernelHeight, g.inHeight - top)
                for ow in 0..<g.outWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    let jLow = max(0, -left), jHigh = min(g.kernelWidth, g.inWidth - left)
                    let yRow = y + output
                    let argRow = argmax + output
                    output += channels
                    if iLow >= iHigh || jLow >= jHigh {
                        yRow.update(repeating: -.infinity, count: channels)
                        argRow.update(repeating: -1, count: channels)
                        continue
                    }
                    let image = n * imageSize
                    let firstCell = image + ((top + iLow) * g.inWidth + left + jLow) * channels
                    // Eight channels at a time stay in registers over the whole window.
                    var c = 0
                    while c + 8 <= channels {
                        var best = SIMD8<Float>(loading: x + firstCell + c)
                        var winner = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: firstCell + c)) &+ lanes
                        for i in iLow..<iHigh {
                            for j in jLow..<jHigh {
                                let offset = image + ((top + i) * g.inWidth + left + j) * channels + c
                                let v = SIMD8<Float>(loading: x + offset)
                                // `v > best` is false for NaN; `v != v` lets a NaN win, as in PyTorch.
                                let wins = (v .> best) .| (v .!= v)
                                best.replace(with: v, where: wins)
                                winner.replace(with: SIMD8(repeating: Int32(truncatingIfNeeded: offset)) &+ lanes,
                                               where: wins)
                            }
                        }
                        best.store(to: yRow + c)
                        winner.store(to: argRow + c)
                        c += 8
                    }
                    for c in c..<channels {
                        var best = x[firstCell + c]
                        var winner = firstCell + c
                        for i in iLow..<iHigh {
                            for j in jLow..<jHigh {
                                let offset = image + ((top + i) * g.inWidth + left + j) * channels + c
                                let v = x[offset]
                                if v > best || v != v {
                                    best = v
                                    winner = offset
                                }
                            }
                        }
                        yRow[c] = best
                        argRow[c] = Int32(truncatingIfNeeded: winner)
                    }
                }
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
        if !accumulate { dx.update(repeating: 0, count: g.inputSize) }
        let count = g.batch * g.outHeight * g.outWidth * g.inChannels
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
        let imageSize = g.inHeight * g.inWidth * channels
        var output = 0
        for n in 0..<g.batch {
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                let iLow = max(0, -top), iHigh = max(min(g.kernelHeight, g.inHeight - top), iLow)
                for ow in 0..<g.outWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    let jLow = max(0, -left), jHigh = max(min(g.kernelWidth, g.inWidth - left), jLow)
                    let yRow = y + output
                    output += channels
                    yRow.update(repeating: 0, count: channels)
                    let cells = (iHigh - iLow) * (jHigh - jLow)
                    if cells == 0 { continue }
                    for i in iLow..<iHigh {
                        for j in jLow..<jHigh {
                            let cell = x + n * imageSize + ((top + i) * g.inWidth + left + j) * channels
                            for c in 0..<channels { yRow[c] += cell[c] }
                        }
                    }
                    let scale = 1 / Float(cells)
                    for c in 0..<channels { yRow[c] *= scale }
                }
            }
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
        let imageSize = g.inHeight * g.inWidth * channels
        var output = 0
        for n in 0..<g.batch {
            for oh in 0..<g.outHeight {
                let top = oh * g.strideHeight - g.padTop
                let iLow = max(0, -top), iHigh = max(min(g.kernelHeight, g.inHeight - top), iLow)
                for ow in 0..<g.outWidth {
                    let left = ow * g.strideWidth - g.padLeft
                    let jLow = max(0, -left), jHigh = max(min(g.kernelWidth, g.inWidth - left), jLow)
                    let dyRow = dy + output
                    output += channels
                    let cells = (iHigh - iLow) * (jHigh - jLow)
                    if cells == 0 { continue }
                    let scale = 1 / Float(cells)
                    for i in iLow..<iHigh {
                        for j in jLow..<jHigh {
                            let cell = dx + n * imageSize + ((top + i) * g.inWidth + left + j) * channels
                            for c in 0..<channels { cell[c] += dyRow[c] * scale }
                        }
                    }
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
