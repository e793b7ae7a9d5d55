import DLCRuntime
import Testing

/// A pooling geometry: `channels` in and out.
private func poolGeometry(
    batch: Int = 2, height: Int, width: Int, channels: Int, window: (Int, Int), stride: (Int, Int), same: Bool
) -> ConvolutionGeometry {
    convolutionGeometry(batch: batch, height: height, width: width, inChannels: channels, outChannels: channels,
                        kernel: window, stride: stride, same: same)
}

private func runMaxPool(_ x: [Float], _ g: ConvolutionGeometry) -> (y: [Float], argmax: [Int32]) {
    let xBuffer = FloatBuffer(x)
    let y = FloatBuffer(count: g.outputSize, value: .nan)
    var argmax = [Int32](repeating: -7, count: g.outputSize)
    withExtendedLifetime(xBuffer) {
        argmax.withUnsafeMutableBufferPointer { argmax in
            if let base = argmax.baseAddress {
                Kernels.maxPool(xBuffer.constant, y: y.pointer, argmax: base, geometry: g)
            }
        }
    }
    return (y.values, argmax)
}

private func runAveragePool(_ x: [Float], _ g: ConvolutionGeometry) -> [Float] {
    let xBuffer = FloatBuffer(x)
    let y = FloatBuffer(count: g.outputSize, value: .nan)
    withExtendedLifetime(xBuffer) { Kernels.averagePool(xBuffer.constant, y: y.pointer, geometry: g) }
    return y.values
}

struct PoolingKernelTests {
    /// 2x2/2 valid (the common case), overlapping 3x3/2 same (padding on both sides), 3x3/1
    /// same, a non-square window, odd sizes with a partial last window, and channel counts
    /// below, at and above the 8-lane vector width.
    static let geometries: [ConvolutionGeometry] = [
        poolGeometry(height: 4, width: 6, channels: 3, window: (2, 2), stride: (2, 2), same: false),
        poolGeometry(height: 5, width: 5, channels: 8, window: (2, 2), stride: (2, 2), same: true),
        poolGeometry(height: 7, width: 6, channels: 11, window: (3, 3), stride: (2, 2), same: true),
        poolGeometry(height: 4, width: 5, channels: 2, window: (3, 3), stride: (1, 1), same: true),
        poolGeometry(height: 6, width: 5, channels: 17, window: (2, 3), stride: (2, 1), same: false),
        poolGeometry(batch: 1, height: 5, width: 7, channels: 1, window: (3, 2), stride: (3, 2), same: true),
    ]

    @Test("max pooling matches a direct maximum and records the winner", arguments: geometries)
    func maxPoolForward(geometry g: ConvolutionGeometry) {
        let x = distinctValues(g.inputSize, seed: 1)
        let (y, argmax) = runMaxPool(x, g)
        let reference = referencePooling(x, g, maximum: true)
        expectClose(y, reference.y, relative: 0, absolute: 0)
        #expect(argmax == reference.argmax)
    }

    @Test("max pooling: padding never wins, ties go to the first cell, NaN wins")
    func maxPoolEdgeCases() {
        // All negative: a 0 from padding would win if padding took part.
        let g = poolGeometry(batch: 1, height: 3, width: 3, channels: 9, window: (2, 2), stride: (2, 2), same: true)
        let negative = (0..<g.inputSize).map { -1 - Float($0) }
        let (y, argmax) = runMaxPool(negative, g)
        #expect(y.allSatisfy { $0 < 0 })
        #expect(argmax == referencePooling(negative, g, maximum: true).argmax)
        // Equal values: the first cell of the window wins.
        let flat = poolGeometry(batch: 1, height: 2, width: 2, channels: 9, window: (2, 2), stride: (2, 2), same: false)
        #expect(runMaxPool([Float](repeating: 3, count: 36), flat).argmax == Array(0..<9).map(Int32.init))
        // A NaN anywhere in the window wins, in the vector lanes and in the scalar tail.
        var withNaN = [Float](repeating: 1, count: 36)
        withNaN[9 * 2 + 4] = .nan    // cell (1, 0), channel 4
        withNaN[9 * 3 + 8] = .nan    // cell (1, 1), channel 8
        let (yNaN, argmaxNaN) = runMaxPool(withNaN, flat)
        #expect(yNaN[4].isNaN && yNaN[8].isNaN && yNaN[0] == 1)
        #expect(argmaxNaN[4] == 22 && argmaxNaN[8] == 35)
    }

    /// L = sum(r * maxpool(x)) with no ties: dL/dx is r at each winner, 0 elsewhere.
    @Test("the max pooling gradient matches finite differences", arguments: geometries)
    func maxPoolGradient(geometry g: ConvolutionGeometry) {
        let x = distinctValues(g.inputSize, seed: 2)
        let r = FloatBuffer(randomValues(g.outputSize, seed: 3))
        var argmax = runMaxPool(x, g).argmax
        let dx = FloatBuffer(count: g.inputSize, value: .nan)
        argmax.withUnsafeMutableBufferPointer { argmax in
            if let base = argmax.baseAddress {
                Kernels.maxPoolBackward(dy: r.constant, argmax: base, dx: dx.pointer, geometry: g)
            }
        }
        // The step stays well below half the 0.05 gap between values, so no winner changes.
        expectGradient(dx.values, numericGradient(at: x, step: 0.01) { weightedSum(runMaxPool($0, g).y, r.values) })
        // Accumulating adds the same gradient onto what is there.
        let start = randomValues(g.inputSize, seed: 4)
        let sum = FloatBuffer(start)
        argmax.withUnsafeMutableBufferPointer { argmax in
            if let base = argmax.baseAddress {
                Kernels.maxPoolBackward(dy: r.constant, argmax: base, dx: sum.pointer, geometry: g, accumulate: true)
            }
        }
        expectClose(sum.values, zip(start, dx.values).map { Double($0) + Double($1) }, relative: 1e-6, absolute: 1e-6)
    }

    @Test("average pooling divides by the cells inside the input", arguments: geometries)
    func averagePoolForward(geometry g: ConvolutionGeometry) {
        let x = randomValues(g.inputSize, seed: 5)
        expectClose(runAveragePool(x, g), referencePooling(x, g, maximum: false).y, relative: 1e-6, absolute: 1e-6)
    }

    @Test("average pooling leaves padding out of the count")
    func averagePoolCount() {
        // 3x3 ones, 2x2 same windows: padding after, every window averages real ones only.
        let g = poolGeometry(batch: 1, height: 3, width: 3, channels: 1, window: (2, 2), stride: (2, 2), same: true)
        let x = (1...9).map(Float.init)
        // Windows: {1,2,4,5}, {3,6}, {7,8}, {9}.
        #expect(runAveragePool(x, g) == [3, 4.5, 7.5, 9])
    }

    /// L = sum(r * avgpool(x)) is linear in x.
    @Test("the average pooling gradient matches finite differences", arguments: geometries)
    func averagePoolGradient(geometry g: ConvolutionGeometry) {
        let x = randomValues(g.inputSize, seed: 6)
        let r = FloatBuffer(randomValues(g.outputSize, seed: 7))
        let dx = FloatBuffer(count: g.inputSize, value: .nan)
        Kernels.averagePoolBackward(dy: r.constant, dx: dx.pointer, geometry: g)
        expectGradient(dx.values, numericGradient(at: x, step: 0.25) { weightedSum(runAveragePool($0, g), r.values) })
        let start = randomValues(g.inputSize, seed: 8)
        let sum = FloatBuffer(start)
        Kernels.averagePoolBackward(dy: r.constant, dx: sum.pointer, geometry: g, accumulate: true)
        expectClose(sum.values, zip(start, dx.values).map { Double($0) + Double($1) }, relative: 1e-6, absolute: 1e-6)
    }
}
