import DLCGraph
import DLCRuntime
import Testing

struct ConvolutionKernelTests {
    /// Valid and same padding, strides 1 to 3, square and non-square kernels, even kernels
    /// (asymmetric same padding), a pointwise 1x1, a strided 1x1, single-channel inputs (their
    /// own im2col path) and several channels, and products on both sides of the loop/BLAS split.
    static let geometries: [ConvolutionGeometry] = [
        convolutionGeometry(height: 5, width: 6, inChannels: 3, outChannels: 4, kernel: (3, 3), same: false),
        convolutionGeometry(height: 5, width: 5, inChannels: 2, outChannels: 3, kernel: (3, 3), same: true),
        convolutionGeometry(height: 7, width: 6, inChannels: 3, outChannels: 2, kernel: (3, 2), stride: (2, 2), same: true),
        convolutionGeometry(height: 5, width: 4, inChannels: 1, outChannels: 3, kernel: (2, 2), same: true),
        convolutionGeometry(height: 6, width: 7, inChannels: 2, outChannels: 2, kernel: (2, 3), stride: (2, 1), same: false),
        convolutionGeometry(height: 4, width: 5, inChannels: 5, outChannels: 3, kernel: (1, 1), same: false),
        convolutionGeometry(height: 5, width: 5, inChannels: 4, outChannels: 3, kernel: (1, 1), stride: (2, 2), same: true),
        convolutionGeometry(height: 7, width: 8, inChannels: 1, outChannels: 2, kernel: (2, 2), stride: (3, 3), same: true),
        convolutionGeometry(height: 4, width: 5, inChannels: 8, outChannels: 3, kernel: (3, 3), same: true),
        convolutionGeometry(height: 6, width: 5, inChannels: 10, outChannels: 4, kernel: (3, 2), stride: (2, 2), same: true),
        convolutionGeometry(height: 5, width: 6, inChannels: 9, outChannels: 5, kernel: (2, 3), stride: (1, 2), same: false),
        convolutionGeometry(batch: 1, height: 3, width: 3, inChannels: 8, outChannels: 12, kernel: (5, 5), same: true),
        // Short patches (smallPatchProduct): 16 channels a vector plus 5 one by one; 16 plus 8 over
        // 27 rows (blocks of four and three single rows); a patch of exactly smallPatchLimit.
        convolutionGeometry(height: 5, width: 5, inChannels: 1, outChannels: 21, kernel: (3, 3), same: true),
        convolutionGeometry(batch: 3, height: 3, width: 3, inChannels: 3, outChannels: 24, kernel: (3, 3), same: true),
        convolutionGeometry(height: 4, width: 4, inChannels: 8, outChannels: 9, kernel: (2, 2), same: false),
    ]

    @Test("a folded activation equals the activation of the convolution, short and long patches",
          arguments: [geometries[1], geometries[8], geometries[12], geometries[13]])
    func foldedActivation(geometry g: ConvolutionGeometry) {
        let x = FloatBuffer(randomValues(g.inputSize, seed: 14))
        let w = FloatBuffer(randomValues(g.weightsSize, seed: 15))
        let bias = FloatBuffer(randomValues(g.outChannels, seed: 16))
        let plain = runConvolution(x.values, w.values, bias.values, g)
        for kind in [ActivationKind.relu, .tanh] {
            let y = FloatBuffer(count: g.outputSize, value: .nan)
            let columns = FloatBuffer(count: g.columnsSize, value: .nan)
            Kernels.convolution(x.constant, weights: w.constant, bias: bias.constant, y: y.pointer, geometry: g,
                                columns: columns.pointer, activation: ActivationFunction(kind))
            let expected = FloatBuffer(plain)
            Kernels.activate(kind, parameter: 0, expected.constant, expected.pointer, count: g.outputSize)
            expectClose(y.values, expected.values.map(Double.init), relative: 1e-6, absolute: 1e-6, "\(kind)")
            // The columns hold im2col(x) afterwards, whichever product ran.
            let patches = FloatBuffer(count: g.columnsSize, value: .nan)
            Kernels.im2col(x.constant, into: patches.pointer, geometry: g)
            #expect(columns.values == patches.values)
        }
    }

    @Test("same padding follows TensorFlow: out = ceil(in / stride), extra padding at the bottom")
    func samePaddingGeometry() {
        let mnist = convolutionGeometry(batch: 64, height: 28, width: 28, inChannels: 1, outChannels: 32,
                                        kernel: (3, 3), same: true)
        #expect(mnist.outHeight == 28 && mnist.outWidth == 28 && mnist.padTop == 1 && mnist.padLeft == 1)
        #expect(mnist.columnsSize == 64 * 28 * 28 * 9)
        // 7 rows, kernel 3, stride 2: out 4, padTotal (4-1)*2 + 3 - 7 = 2, top 1.
        // 6 columns, kernel 3, stride 2: out 3, padTotal 1, left 0 (the extra one goes right).
        let strided = convolutionGeometry(height: 7, width: 6, inChannels: 1, outChannels: 1,
                                          kernel: (3, 3), stride: (2, 2), same: true)
        #expect(strided.outHeight == 4 && strided.padTop == 1)
        #expect(strided.outWidth == 3 && strided.padLeft == 0)
        // An even kernel pads only after: kernel 2, stride 1 gives padTotal 1, top 0.
        let even = convolutionGeometry(height: 5, width: 5, inChannels: 1, outChannels: 1, kernel: (2, 2), same: true)
        #expect(even.outHeight == 5 && even.padTop == 0 && even.padLeft == 0)
        // Stride larger than the input needs no padding: 5 -> ceil(5 / 8) = 1, padTotal max(3 - 5, 0).
        let coarse = convolutionGeometry(height: 5, width: 5, inChannels: 1, outChannels: 1,
                                         kernel: (3, 3), stride: (8, 8), same: true)
        #expect(coarse.outHeight == 1 && coarse.padTop == 0)
    }

    @Test("valid padding: out = (in - kernel) / stride + 1, no padding; 1x1 stride 1 needs no columns")
    func validPaddingGeometry() {
        let g = convolutionGeometry(height: 28, width: 7, inChannels: 3, outChannels: 4,
                                    kernel: (3, 3), stride: (1, 2), same: false)
        #expect(g.outHeight == 26 && g.outWidth == 3 && g.padTop == 0 && g.padLeft == 0)
        #expect(g.patchSize == 27 && g.weightsSize == 27 * 4 && !g.isPointwise)
        let pointwise = convolutionGeometry(height: 4, width: 4, inChannels: 3, outChannels: 4, kernel: (1, 1), same: true)
        #expect(pointwise.isPointwise && pointwise.columnsSize == 0)
        let explicit = ConvolutionGeometry(batch: 1, inHeight: 7, inWidth: 7, inChannels: 1, outChannels: 1,
                                           kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                           padTop: 1, padBottom: 1, padLeft: 0, padRight: 1)
        #expect(explicit.outHeight == 4 && explicit.outWidth == 3 && explicit.padTop == 1 && explicit.padLeft == 0)
    }

    @Test("the forward pass matches a direct convolution, with and without bias", arguments: geometries)
    func forward(geometry g: ConvolutionGeometry) {
        let x = randomValues(g.inputSize, seed: 1)
        let w = randomValues(g.weightsSize, seed: 2)
        let bias = randomValues(g.outChannels, seed: 3)
        expectClose(runConvolution(x, w, bias, g), referenceConvolution(x, w, bias, g),
                    relative: 1e-5, absolute: 1e-5, "with bias")
        expectClose(runConvolution(x, w, nil, g), referenceConvolution(x, w, nil, g),
                    relative: 1e-5, absolute: 1e-5, "without bias")
    }

    /// L = sum(r * conv(x, w) + b): the input, weight and bias gradients against central differences.
    @Test("input, weight and bias gradients match finite differences", arguments: geometries)
    func gradients(geometry g: ConvolutionGeometry) {
        let x = randomValues(g.inputSize, seed: 4)
        let w = randomValues(g.weightsSize, seed: 5)
        let bias = randomValues(g.outChannels, seed: 6)
        let r = FloatBuffer(randomValues(g.outputSize, seed: 7))
        let (xBuffer, wBuffer) = (FloatBuffer(x), FloatBuffer(w))
        let columns = FloatBuffer(count: g.columnsSize, value: .nan)
        let dx = FloatBuffer(count: g.inputSize, value: .nan)
        let dw = FloatBuffer(count: g.weightsSize, value: .nan)
        let db = FloatBuffer(count: g.outChannels, value: .nan)
        Kernels.convolutionInputGradient(dy: r.constant, weights: wBuffer.constant, dx: dx.pointer,
                                         geometry: g, columns: columns.pointer)
        Kernels.convolutionWeightGradient(x: xBuffer.constant, dy: r.constant, dWeights: dw.pointer,
                                          dBias: db.pointer, geometry: g, columns: columns.pointer)
        func loss(_ x: [Float], _ w: [Float], _ bias: [Float]) -> Double {
            weightedSum(runConvolution(x, w, bias, g), r.values)
        }
        // L is linear in each argument: a large step has no truncation error.
        expectGradient(dx.values, numericGradient(at: x, step: 0.25) { loss($0, w, bias) }, "dx")
        expectGradient(dw.values, numericGradient(at: w, step: 0.25) { loss(x, $0, bias) }, "dw")
        expectGradient(db.values, numericGradient(at: bias, step: 0.25) { loss(x, w, $0) }, "db")
    }

    @Test("accumulate adds the gradients; columnsHoldInput reuses the forward im2col",
          arguments: [geometries[2], geometries[5], geometries[9]])
    func accumulateAndReuse(geometry g: ConvolutionGeometry) {
        let x = FloatBuffer(randomValues(g.inputSize, seed: 8))
        let w = FloatBuffer(randomValues(g.weightsSize, seed: 9))
        let dy = FloatBuffer(randomValues(g.outputSize, seed: 10))
        let columns = FloatBuffer(count: g.columnsSize)
        let (dx, dw, db) = (FloatBuffer(count: g.inputSize), FloatBuffer(count: g.weightsSize), FloatBuffer(count: g.outChannels))
        Kernels.convolutionInputGradient(dy: dy.constant, weights: w.constant, dx: dx.pointer, geometry: g,
                                         columns: columns.pointer)
        Kernels.convolutionWeightGradient(x: x.constant, dy: dy.constant, dWeights: dw.pointer, dBias: db.pointer,
                                          geometry: g, columns: columns.pointer)
        let (dxStart, dwStart, dbStart) = (randomValues(g.inputSize, seed: 11), randomValues(g.weightsSize, seed: 12),
                                           randomValues(g.outChannels, seed: 13))
        let (dxSum, dwSum, dbSum) = (FloatBuffer(dxStart), FloatBuffer(dwStart), FloatBuffer(dbStart))
        Kernels.convolutionInputGradient(dy: dy.constant, weights: w.constant, dx: dxSum.pointer, geometry: g,
                                         columns: columns.pointer, accumulate: true)
        // The forward pass leaves im2col(x) in `columns` for the weight gradient.
        let y = FloatBuffer(count: g.outputSize)
        Kernels.convolution(x.constant, weights: w.constant, bias: nil, y: y.pointer, geometry: g, columns: columns.pointer)
        Kernels.convolutionWeightGradient(x: x.constant, dy: dy.constant, dWeights: dwSum.pointer, dBias: dbSum.pointer,
                                          geometry: g, columns: columns.pointer, columnsHoldInput: true, accumulate: true)
        func sum(_ a: [Float], _ b: [Float]) -> [Double] { zip(a, b).map { Double($0) + Double($1) } }
        expectClose(dxSum.values, sum(dxStart, dx.values), relative: 1e-5, absolute: 1e-5, "dx")
        expectClose(dwSum.values, sum(dwStart, dw.values), relative: 1e-5, absolute: 1e-5, "dw")
        expectClose(dbSum.values, sum(dbStart, db.values), relative: 1e-5, absolute: 1e-5, "db")
    }

    @Test("im2col lays out patches in (i, j, c) order with zeros for padding")
    func im2colLayout() {
        // One 3x3 single-channel image 1...9, kernel 2x2 same: padding only after (bottom, right).
        let g = convolutionGeometry(batch: 1, height: 3, width: 3, inChannels: 1, outChannels: 1, kernel: (2, 2), same: true)
        let x = FloatBuffer((1...9).map(Float.init))
        let columns = FloatBuffer(count: g.columnsSize, value: .nan)
        Kernels.im2col(x.constant, into: columns.pointer, geometry: g)
        #expect(columns.values == [
            1, 2, 4, 5, 2, 3, 5, 6, 3, 0, 6, 0,
            4, 5, 7, 8, 5, 6, 8, 9, 6, 0, 9, 0,
            7, 8, 0, 0, 8, 9, 0, 0, 9, 0, 0, 0,
        ])
        // With several channels each kernel row of a patch is one copy of kw * cin floats.
        let g2 = convolutionGeometry(batch: 1, height: 1, width: 2, inChannels: 2, outChannels: 1, kernel: (1, 2), same: true)
        let x2 = FloatBuffer([1, 2, 3, 4])
        let columns2 = FloatBuffer(count: g2.columnsSize, value: .nan)
        Kernels.im2col(x2.constant, into: columns2.pointer, geometry: g2)
        #expect(columns2.values == [1, 2, 3, 4, 3, 4, 0, 0])
    }
}
