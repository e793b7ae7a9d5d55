import DLCGraph
import DLCRuntime
import Testing

struct ElementwiseKernelTests {
    @Test("add and multiply, also into one of their operands")
    func addMultiply() {
        let a = FloatBuffer([1, 2, 3, 4, 5, 6, 7, 8, 9])
        let b = FloatBuffer([9, 8, 7, 6, 5, 4, 3, 2, 1])
        let y = FloatBuffer(count: 9)
        Kernels.add(a.constant, b.constant, into: y.pointer, count: 9)
        #expect(y.values == Array(repeating: 10, count: 9))
        Kernels.multiply(a.constant, b.constant, into: y.pointer, count: 9)
        #expect(y.values == [9, 16, 21, 24, 25, 24, 21, 16, 9])
        Kernels.add(a.constant, b.constant, into: a.pointer, count: 9)   // a += b
        #expect(a.values == Array(repeating: 10, count: 9))
        Kernels.multiply(a.constant, b.constant, into: b.pointer, count: 9)   // b *= a
        #expect(b.values == [90, 80, 70, 60, 50, 40, 30, 20, 10])
    }

    @Test("scale, copy and fill")
    func scaleCopyFill() {
        let x = FloatBuffer([1, -2, 3, 0.5, 5])
        Kernels.scale(x.pointer, by: -2, count: 5)
        #expect(x.values == [-2, 4, -6, -1, -10])
        let y = FloatBuffer(count: 5)
        Kernels.copy(x.constant, into: y.pointer, count: 5)
        #expect(y.values == x.values)
        Kernels.copy(y.constant, into: y.pointer, count: 5)
        #expect(y.values == x.values)
        Kernels.fill(y.pointer, value: 0.25, count: 4)
        #expect(y.values == [0.25, 0.25, 0.25, 0.25, -10])
    }

    @Test("sums in Double, across vector tails", arguments: [0, 1, 3, 4, 11, 1000])
    func sums(count: Int) {
        let p = randomValues(count, seed: 81)
        let t = randomValues(count, seed: 82)
        let pBuffer = FloatBuffer(p)
        let tBuffer = FloatBuffer(t)
        let squares = p.reduce(0.0) { $0 + Double($1) * Double($1) }
        let squaredErrors = zip(p, t).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
        let absoluteErrors = zip(p, t).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) }
        #expect(abs(Kernels.sumOfSquares(pBuffer.constant, count: count) - squares) <= 1e-12 * max(1, squares))
        #expect(abs(Kernels.squaredErrorSum(prediction: pBuffer.constant, target: tBuffer.constant, count: count)
                    - squaredErrors) <= 1e-12 * max(1, squaredErrors))
        #expect(abs(Kernels.absoluteErrorSum(prediction: pBuffer.constant, target: tBuffer.constant, count: count)
                    - absoluteErrors) <= 1e-12 * max(1, absoluteErrors))
    }

    @Test("argmaxMatches counts rows whose first maximum is the label")
    func argmax() {
        let output = FloatBuffer([
            0.1, 0.7, 0.2,   // 1
            0.5, 0.5, 0.0,   // tie: first maximum, 0
            0.2, 0.3, 0.5,   // 2
            -1, -3, -2,      // 0
        ])
        let labels = FloatBuffer([1, 1, 2, 2])
        #expect(Kernels.argmaxMatches(output.constant, labels: labels.constant, rows: 4, columns: 3) == 2)
        let zeros = FloatBuffer([0, 0, 2, 0])
        #expect(Kernels.argmaxMatches(output.constant, labels: zeros.constant, rows: 4, columns: 3) == 3)
    }

    @Test("argmaxMatches thresholds a single column")
    func binary() {
        let probabilities = FloatBuffer([0.9, 0.4, 0.6, 0.5, 0.1])
        let labels = FloatBuffer([1, 0, 0, 0, 1])
        // predictions 1, 0, 1, 0 (0.5 is not above 0.5), 0
        #expect(Kernels.argmaxMatches(probabilities.constant, labels: labels.constant, rows: 5, columns: 1) == 3)
        // logits: predictions 1, 0, 1, 0, 0 (0 is not above 0)
        let logits = FloatBuffer([2, -1, 0.5, -0.2, 0])
        #expect(Kernels.argmaxMatches(logits.constant, labels: labels.constant, rows: 5, columns: 1, threshold: 0) == 3)
    }
}

/// The fused bias + activation equals adding the bias and then activating.
struct BiasActivationKernelTests {
    @Test(arguments: ActivationKind.allCases)
    func fusedEqualsUnfused(_ kind: ActivationKind) {
        let rows = 300, columns = 7
        let x = (0..<(rows * columns)).map { Float(($0 * 37) % 101) / 25 - 2 }
        let bias = (0..<columns).map { Float($0) * 0.3 - 1 }
        var fused = [Float](repeating: .nan, count: x.count)
        Kernels.biasActivate(kind, parameter: 0.2, x, bias: bias, &fused, rows: rows, columns: columns)
        var unfused = x
        Kernels.addBias(&unfused, bias, rows: rows, columns: columns)
        var expected = [Float](repeating: 0, count: x.count)
        Kernels.activate(kind, parameter: 0.2, unfused, &expected, count: x.count)
        #expect(fused == expected)
    }
}
