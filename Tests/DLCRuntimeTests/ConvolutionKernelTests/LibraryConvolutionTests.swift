import DLCRuntime
import Testing

/// oneDNN's convolution passes against the definition in Double, over the geometries dlc makes:
/// `same` padding split TensorFlow's way (more at the bottom and right), `valid` windows that
/// leave input rows over, strides, 1x1 projections and non-square kernels.
struct LibraryConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var batch = 3, height: Int, width: Int, inChannels: Int, outChannels: Int
        var kernel: (Int, Int), stride: (Int, Int), same: Bool
        var testDescription: String {
            "\(height)x\(width)x\(inChannels) -> \(outChannels), kernel \(kernel), stride \(stride), \(same ? "same" : "valid")"
        }
        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(batch: batch, inHeight: height, inWidth: width, inChannels: inChannels, outChannels: outChannels,
                                kernelHeight: kernel.0, kernelWidth: kernel.1, strideHeight: stride.0, strideWidth: stride.1,
                                samePadding: same)
        }
    }

    static let cases: [Case] = [
        Case(height: 6, width: 6, inChannels: 4, outChannels: 4, kernel: (3, 3), stride: (1, 1), same: true),
        Case(height: 6, width: 6, inChannels: 4, outChannels: 6, kernel: (3, 3), stride: (2, 2), same: true),
        Case(height: 7, width: 5, inChannels: 3, outChannels: 5, kernel: (3, 3), stride: (2, 2), same: true),
        Case(height: 7, width: 6, inChannels: 16, outChannels: 8, kernel: (1, 1), stride: (2, 2), same: false),
        Case(height: 8, width: 7, inChannels: 1, outChannels: 16, kernel: (5, 3), stride: (1, 2), same: true),
        Case(height: 9, width: 8, inChannels: 2, outChannels: 3, kernel: (3, 2), stride: (2, 3), same: false),
        Case(height: 4, width: 4, inChannels: 32, outChannels: 17, kernel: (2, 2), stride: (1, 1), same: true),
        // 2.9M multiply-adds: above `Parallel.convolutionThreshold`, so it runs on 2 threads.
        Case(batch: 8, height: 14, width: 14, inChannels: 16, outChannels: 16, kernel: (3, 3), stride: (1, 1), same: true),
    ]

    static func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(((($0 + seed) * 7919) % 201) - 100) / 100 }
    }

    static func worst(_ actual: UnsafeMutableBufferPointer<Float>, _ expected: [Double]) -> Double {
        let scale = max(expected.map(abs).max() ?? 0, 1)
        return zip(actual, expected).map { abs(Double($0) - $1) }.max().map { $0 / scale } ?? .infinity
    }

    @Test(arguments: cases)
    func passesMatchTheDefinition(_ testCase: Case) throws {
        let g = testCase.geometry
        let x = Self.values(g.inputSize, seed: 1), w = Self.values(g.weightsSize, seed: 2), dy = Self.values(g.outputSize, seed: 3)
        let y = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.outputSize)
        let dx = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.inputSize)
        let dw = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.weightsSize)
        defer { y.deallocate(); dx.deallocate(); dw.deallocate() }
        for threads in [1, 2] {
            let convolution = try #require(DNNLConvolution(g, passes: [.forward, .inputGradient, .weightGradient], threads: threads),
                                           "oneDNN made no convolution for \(g)")
            y.initialize(repeating: .nan)
            dx.initialize(repeating: .nan)
            dw.initialize(repeating: .nan)
            convolution.forward(x: x, weights: w, y: y.baseAddress!)
            convolution.inputGradient(dy: dy, weights: w, dx: dx.baseAddress!)
            convolution.weightGradient(x: x, dy: dy, dw: dw.baseAddress!)
            // The adjoints of y = conv(x, w): dx[cell] = sum of dy * w over the outputs reading it; dw = sum of x * dy.
            var expectedDx = [Double](repeating: 0, count: g.inputSize), expectedDw = [Double](repeating: 0, count: g.weightsSize)
            for n in 0..<g.batch {
                for oh in 0..<g.outHeight {
                    for ow in 0..<g.outWidth {
                        forEachWindowCell(g, oh, ow) { ih, iw, i, j in
                            for c in 0..<g.inChannels {
                                let input = ((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + c
                                for o in 0..<g.outChannels {
                                    let output = ((n * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + o
                                    let weight = ((i * g.kernelWidth + j) * g.inChannels + c) * g.outChannels + o
                                    expectedDx[input] += Double(dy[output]) * Double(w[weight])
                                    expectedDw[weight] += Double(x[input]) * Double(dy[output])
                                }
                            }
                        }
                    }
                }
            }
            #expect(Self.worst(y, referenceConvolution(x, w, nil, g)) <= 1e-5, "forward, \(threads) thread(s)")
            #expect(Self.worst(dx, expectedDx) <= 1e-5, "input gradient, \(threads) thread(s)")
            #expect(Self.worst(dw, expectedDw) <= 1e-5, "weight gradient, \(threads) thread(s)")
        }
    }
}
