import DLCRuntime
import Testing

/// Direct convolution in Double, the definition the kernels are checked against:
/// `y[n, oh, ow, o] = b[o] + sum_{i, j, c} x[n, oh*sh - padTop + i, ow*sw - padLeft + j, c] * w[i, j, c, o]`
/// with zeros outside the input.
func referenceConvolution(
    _ x: [Float], _ w: [Float], _ bias: [Float]?, _ g: ConvolutionGeometry
) -> [Double] {
    var y = [Double](repeating: 0, count: g.outputSize)
    for n in 0..<g.batch {
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                for o in 0..<g.outChannels {
                    var sum = Double(bias?[o] ?? 0)
                    forEachWindowCell(g, oh, ow) { ih, iw, i, j in
                        for c in 0..<g.inChannels {
                            let xValue = x[((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + c]
                            let wValue = w[((i * g.kernelWidth + j) * g.inChannels + c) * g.outChannels + o]
                            sum += Double(xValue) * Double(wValue)
                        }
                    }
                    y[((n * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + o] = sum
                }
            }
        }
    }
    return y
}

/// Calls `body(ih, iw, i, j)` for each window cell of output pixel `(oh, ow)` inside the input.
func forEachWindowCell(_ g: ConvolutionGeometry, _ oh: Int, _ ow: Int, _ body: (Int, Int, Int, Int) -> Void) {
    for i in 0..<g.kernelHeight {
        let ih = oh * g.strideHeight - g.padTop + i
        if ih < 0 || ih >= g.inHeight { continue }
        for j in 0..<g.kernelWidth {
            let iw = ow * g.strideWidth - g.padLeft + j
            if iw < 0 || iw >= g.inWidth { continue }
            body(ih, iw, i, j)
        }
    }
}

/// Pooling in Double: the max (with the flat index of the first maximum) or the mean of each
/// window's input cells, `[batch, outH, outW, c]`.
func referencePooling(_ x: [Float], _ g: ConvolutionGeometry, maximum: Bool) -> (y: [Double], argmax: [Int32]) {
    var y = [Double](repeating: 0, count: g.outputSize)
    var argmax = [Int32](repeating: -1, count: g.outputSize)
    for n in 0..<g.batch {
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                for c in 0..<g.inChannels {
                    var best = -Double.infinity, winner = -1, sum = 0.0, cells = 0
                    forEachWindowCell(g, oh, ow) { ih, iw, _, _ in
                        let index = ((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + c
                        let v = Double(x[index])
                        if v > best { (best, winner) = (v, index) }
                        sum += v
                        cells += 1
                    }
                    let o = ((n * g.outHeight + oh) * g.outWidth + ow) * g.inChannels + c
                    y[o] = maximum ? best : (cells > 0 ? sum / Double(cells) : 0)
                    argmax[o] = Int32(winner)
                }
            }
        }
    }
    return (y, argmax)
}

/// Seeded values that are pairwise at least `gap` apart (a shuffled ladder), so that max
/// pooling has no ties and a finite-difference step below `gap / 2` never changes a winner.
func distinctValues(_ count: Int, seed: UInt64, gap: Float = 0.05) -> [Float] {
    let shuffle = randomValues(count, seed: seed, in: 0...1)
    let order = shuffle.indices.sorted { shuffle[$0] < shuffle[$1] }
    var values = [Float](repeating: 0, count: count)
    for (rank, index) in order.enumerated() { values[index] = (Float(rank) - Float(count) / 2) * gap }
    return values
}

/// A convolution geometry from short arguments: square stride, `same` or `valid`.
func convolutionGeometry(
    batch: Int = 2, height: Int, width: Int, inChannels: Int, outChannels: Int,
    kernel: (Int, Int), stride: (Int, Int) = (1, 1), same: Bool
) -> ConvolutionGeometry {
    ConvolutionGeometry(batch: batch, inHeight: height, inWidth: width, inChannels: inChannels,
                        outChannels: outChannels, kernelHeight: kernel.0, kernelWidth: kernel.1,
                        strideHeight: stride.0, strideWidth: stride.1, samePadding: same)
}

/// The forward convolution through the kernel, on arrays.
func runConvolution(_ x: [Float], _ w: [Float], _ bias: [Float]?, _ g: ConvolutionGeometry) -> [Float] {
    let (xBuffer, wBuffer) = (FloatBuffer(x), FloatBuffer(w))
    let biasBuffer = bias.map(FloatBuffer.init)
    let y = FloatBuffer(count: g.outputSize, value: .nan)
    let columns = FloatBuffer(count: g.columnsSize, value: .nan)
    withExtendedLifetime((xBuffer, wBuffer, biasBuffer, columns)) {
        Kernels.convolution(xBuffer.constant, weights: wBuffer.constant, bias: biasBuffer?.constant,
                            y: y.pointer, geometry: g, columns: columns.pointer)
    }
    return y.values
}

extension ConvolutionGeometry: CustomTestStringConvertible {
    public var testDescription: String {
        "\(batch)x\(inHeight)x\(inWidth)x\(inChannels)->\(outHeight)x\(outWidth)x\(outChannels) "
            + "k\(kernelHeight)x\(kernelWidth) s\(strideHeight)x\(strideWidth) pad\(padTop),\(padLeft)"
    }
}
