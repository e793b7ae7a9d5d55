import DLCRuntime
import Foundation
import Testing

/// The numbers `Reference/convolution.py` recorded from PyTorch, decoded from `Reference/convolution.json`
/// (NHWC activations, HWIO weights; gradients of `sum(y * dy)`).
struct ConvolutionReference: Decodable {
    struct Convolution: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var batch, height, width, inChannels, outChannels: Int
        var kernel, stride: [Int]
        /// [top, bottom, left, right]
        var padding: [Int]
        /// Whether `padding` is TensorFlow's same padding for this shape.
        var same: Bool
        var x, weights, y, dy, dx, dWeights: [Float]
        var bias, dBias: [Float]?
        var testDescription: String { name }

        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(batch: batch, inHeight: height, inWidth: width, inChannels: inChannels,
                                outChannels: outChannels, kernelHeight: kernel[0], kernelWidth: kernel[1],
                                strideHeight: stride[0], strideWidth: stride[1],
                                padTop: padding[0], padBottom: padding[1], padLeft: padding[2], padRight: padding[3])
        }
    }

    struct Pooling: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        /// "max" or "average"
        var kind: String
        var batch, height, width, channels: Int
        var window, stride, padding: [Int]
        var same: Bool
        var x, y, dy, dx: [Float]
        var argmax: [Int32]?
        var testDescription: String { name }

        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(batch: batch, inHeight: height, inWidth: width, inChannels: channels,
                                outChannels: channels, kernelHeight: window[0], kernelWidth: window[1],
                                strideHeight: stride[0], strideWidth: stride[1], samePadding: same)
        }
    }

    struct BatchNorm: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var rows, channels: Int
        var momentum, epsilon: Float
        var x, gamma, beta, runningMean, runningVariance: [Float]
        var y, updatedRunningMean, updatedRunningVariance, dy, dx, dGamma, dBeta, evalY: [Float]
        var testDescription: String { name }
    }

    var convolutions: [Convolution]
    var pools: [Pooling]
    var batchNorms: [BatchNorm]

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Reference/convolution.json")

    static let loaded: ConvolutionReference? = {
        guard let data = try? Data(contentsOf: url) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(ConvolutionReference.self, from: data)
    }()
}

/// Expects agreement with PyTorch to 1e-4 relative / 1e-5 absolute.
private func expectMatches(
    _ actual: [Float], _ expected: [Float], _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(actual, expected.map(Double.init), relative: 1e-4, absolute: 1e-5, comment, sourceLocation: sourceLocation)
}

struct ConvolutionReferenceKernelTests {
    @Test("the PyTorch reference file decodes")
    func referenceLoads() throws {
        let reference = try #require(ConvolutionReference.loaded, "cannot read \(ConvolutionReference.url.path)")
        #expect(reference.convolutions.count >= 8 && reference.pools.count >= 8 && reference.batchNorms.count >= 3)
    }

    @Test("convolution forward and gradients match PyTorch",
          arguments: ConvolutionReference.loaded?.convolutions ?? [])
    func convolution(_ c: ConvolutionReference.Convolution) {
        let g = c.geometry
        if c.same {
            let same = ConvolutionGeometry(batch: c.batch, inHeight: c.height, inWidth: c.width, inChannels: c.inChannels,
                                           outChannels: c.outChannels, kernelHeight: c.kernel[0], kernelWidth: c.kernel[1],
                                           strideHeight: c.stride[0], strideWidth: c.stride[1], samePadding: true)
            #expect(same == g, "TensorFlow same padding")
        }
        #expect(g.outputSize == c.y.count && g.inputSize == c.x.count && g.weightsSize == c.weights.count)
        expectMatches(runConvolution(c.x, c.weights, c.bias, g), c.y, "y")

        let (x, w, dy) = (FloatBuffer(c.x), FloatBuffer(c.weights), FloatBuffer(c.dy))
        let columns = FloatBuffer(count: g.columnsSize, value: .nan)
        let dx = FloatBuffer(count: g.inputSize, value: .nan)
        let dw = FloatBuffer(count: g.weightsSize, value: .nan)
        let db = FloatBuffer(count: g.outChannels, value: .nan)
        Kernels.convolutionInputGradient(dy: dy.constant, weights: w.constant, dx: dx.pointer, geometry: g,
                                         columns: columns.pointer)
        Kernels.convolutionWeightGradient(x: x.constant, dy: dy.constant, dWeights: dw.pointer,
                                          dBias: c.dBias == nil ? nil : db.pointer, geometry: g, columns: columns.pointer)
        expectMatches(dx.values, c.dx, "dx")
        expectMatches(dw.values, c.dWeights, "dw")
        if let dBias = c.dBias { expectMatches(db.values, dBias, "db") }
    }

    @Test("max and average pooling forward and gradients match PyTorch",
          arguments: ConvolutionReference.loaded?.pools ?? [])
    func pooling(_ p: ConvolutionReference.Pooling) {
        let g = p.geometry
        #expect(g.padTop == p.padding[0] && g.padLeft == p.padding[2], "TensorFlow same padding")
        #expect(g.outputSize == p.y.count && g.inputSize == p.x.count)
        let (x, dy) = (FloatBuffer(p.x), FloatBuffer(p.dy))
        let y = FloatBuffer(count: g.outputSize, value: .nan)
        let dx = FloatBuffer(count: g.inputSize, value: .nan)
        if p.kind == "max" {
            var argmax = [Int32](repeating: -7, count: g.outputSize)
            argmax.withUnsafeMutableBufferPointer { argmax in
                guard let base = argmax.baseAddress else { return }
                Kernels.maxPool(x.constant, y: y.pointer, argmax: base, geometry: g)
                Kernels.maxPoolBackward(dy: dy.constant, argmax: base, dx: dx.pointer, geometry: g)
            }
            #expect(argmax == p.argmax, "argmax")
        } else {
            Kernels.averagePool(x.constant, y: y.pointer, geometry: g)
            Kernels.averagePoolBackward(dy: dy.constant, dx: dx.pointer, geometry: g)
        }
        expectMatches(y.values, p.y, "y")
        expectMatches(dx.values, p.dx, "dx")
    }

    @Test("batch norm training, running statistics, gradients and inference match PyTorch",
          arguments: ConvolutionReference.loaded?.batchNorms ?? [])
    func batchNorm(_ b: ConvolutionReference.BatchNorm) {
        let (rows, channels) = (b.rows, b.channels)
        let (x, gamma, beta) = (FloatBuffer(b.x), FloatBuffer(b.gamma), FloatBuffer(b.beta))
        let (runningMean, runningVariance) = (FloatBuffer(b.runningMean), FloatBuffer(b.runningVariance))
        let (savedMean, savedInverseStd) = (FloatBuffer(count: channels), FloatBuffer(count: channels))
        let y = FloatBuffer(count: rows * channels, value: .nan)
        Kernels.batchNormTraining(x.constant, y: y.pointer, gamma: gamma.constant, beta: beta.constant,
                                  runningMean: runningMean.pointer, runningVariance: runningVariance.pointer,
                                  savedMean: savedMean.pointer, savedInverseStd: savedInverseStd.pointer,
                                  rows: rows, channels: channels, momentum: b.momentum, epsilon: b.epsilon)
        expectMatches(y.values, b.y, "y")
        expectMatches(runningMean.values, b.updatedRunningMean, "running mean")
        expectMatches(runningVariance.values, b.updatedRunningVariance, "running variance")

        let dy = FloatBuffer(b.dy)
        let dx = FloatBuffer(count: rows * channels, value: .nan)
        let (dGamma, dBeta) = (FloatBuffer(count: channels, value: .nan), FloatBuffer(count: channels, value: .nan))
        Kernels.batchNormBackward(dy: dy.constant, x: x.constant, gamma: gamma.constant,
                                  savedMean: savedMean.constant, savedInverseStd: savedInverseStd.constant,
                                  dx: dx.pointer, dGamma: dGamma.pointer, dBeta: dBeta.pointer,
                                  rows: rows, channels: channels)
        expectMatches(dx.values, b.dx, "dx")
        expectMatches(dGamma.values, b.dGamma, "dgamma")
        expectMatches(dBeta.values, b.dBeta, "dbeta")

        let evalY = FloatBuffer(count: rows * channels, value: .nan)
        Kernels.batchNormInference(x.constant, y: evalY.pointer, gamma: gamma.constant, beta: beta.constant,
                                   runningMean: runningMean.constant, runningVariance: runningVariance.constant,
                                   rows: rows, channels: channels, epsilon: b.epsilon)
        expectMatches(evalY.values, b.evalY, "eval y")
    }
}
