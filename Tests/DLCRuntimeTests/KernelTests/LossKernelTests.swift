import DLCRuntime
import Foundation
import Testing

// Reference values from PyTorch 2.15 in float64 (F = torch.nn.functional):
//   logits = [[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0], [-1.2, 0.4, 0.3, 3.0]]; labels = [1, 2, 0]
//   F.cross_entropy(logits, labels, label_smoothing=s) and its autograd gradient, s in {0, 0.1}
//   -((1-s) * one_hot + s/4) * log(softmax(logits))).sum(1).mean() and its gradient wrt the probabilities
struct SoftmaxCrossEntropyKernelTests {
    static let logits = SoftmaxKernelTests.logits
    static let labels: [Float] = [1, 2, 0]

    static let loss: [Float: Double] = [0: 1.70488562, 0.1: 1.74655229]
    static let gradient: [Float: [Double]] = [
        0: [0.0747359393, -0.130179987, 0.0453296386, 0.0101144095, 0.0310327878, 0.0208018998,
            -0.0799143152, 0.0280796276, -0.329011124, 0.021408043, 0.0193707983, 0.288232283],
        0.1: [0.066402606, -0.105179987, 0.0369963053, 0.00178107619, 0.0226994545, 0.0124685664,
              -0.0549143152, 0.0197462943, -0.304011124, 0.0130747097, 0.011037465, 0.279898949],
    ]
    static let probabilityGradient: [Float: [Double]] = [
        0: [0, -0.546932223, 0, 0, 0, 0, -0.438448195, 0, -25.7070175, 0, 0, 0],
        0.1: [-0.0371678981, -0.505912306, -0.0612795042, -0.274635684, -0.0895110615, -0.133534812,
              -0.40556458, -0.098925022, -23.7789912, -0.129753933, -0.143400273, -0.0096372889],
    ]

    @Test("fused softmax cross-entropy matches PyTorch", arguments: [Float(0), 0.1])
    func fused(smoothing: Float) throws {
        let x = FloatBuffer(Self.logits)
        let labels = FloatBuffer(Self.labels)
        let p = FloatBuffer(count: 12)
        let g = FloatBuffer(count: 12, value: .nan)
        let loss = Kernels.softmaxCrossEntropy(logits: x.constant, labels: labels.constant, rows: 3, classes: 4,
                                               labelSmoothing: smoothing, probabilities: p.pointer, gradient: g.pointer)
        #expect(abs(Double(loss) - Self.loss[smoothing]!) < 1e-6)
        expectClose(p.values, SoftmaxKernelTests.probabilities, relative: 1e-6, absolute: 1e-8)
        expectClose(g.values, Self.gradient[smoothing]!, relative: 1e-5, absolute: 1e-7)

        // scale multiplies the gradient only; nil skips it; probabilities may overwrite logits.
        let scaled = FloatBuffer(count: 12)
        let again = Kernels.softmaxCrossEntropy(logits: x.constant, labels: labels.constant, rows: 3, classes: 4,
                                                labelSmoothing: smoothing, probabilities: p.pointer,
                                                gradient: scaled.pointer, scale: 0.5)
        #expect(again == loss)
        expectClose(scaled.values, g.values.map { Double($0) * 0.5 }, relative: 1e-6)
        let inPlace = Kernels.softmaxCrossEntropy(logits: x.constant, labels: labels.constant, rows: 3, classes: 4,
                                                  labelSmoothing: smoothing, probabilities: x.pointer, gradient: nil)
        #expect(inPlace == loss)
        #expect(x.values == p.values)
    }

    @Test("cross-entropy from probabilities matches PyTorch", arguments: [Float(0), 0.1])
    func unfused(smoothing: Float) {
        let p = FloatBuffer(SoftmaxKernelTests.probabilities.map(Float.init))
        let labels = FloatBuffer(Self.labels)
        let g = FloatBuffer(count: 12, value: .nan)
        let loss = Kernels.crossEntropy(probabilities: p.constant, labels: labels.constant, rows: 3, classes: 4,
                                        labelSmoothing: smoothing, gradient: g.pointer)
        #expect(abs(Double(loss) - Self.loss[smoothing]!) < 1e-6)
        expectClose(g.values, Self.probabilityGradient[smoothing]!, relative: 1e-5, absolute: 1e-7)
    }

    @Test("probabilities below 1e-7 are clamped in the log, with no gradient")
    func clamp() {
        let p = FloatBuffer([0, 1])
        let labels = FloatBuffer([0])
        let g = FloatBuffer(count: 2)
        let loss = Kernels.crossEntropy(probabilities: p.constant, labels: labels.constant, rows: 1, classes: 2,
                                        labelSmoothing: 0, gradient: g.pointer)
        #expect(abs(Double(loss) + log(Double(Float(1e-7)))) < 1e-5)   // -log(1e-7) = 16.118
        #expect(g.values == [0, 0])
    }

    @Test("gradients match finite differences",
          arguments: [Float(0), 0.2], [(4, 5), (3, 11)])
    func gradients(smoothing: Float, shape: (Int, Int)) {
        let (rows, classes) = shape
        let logits = randomValues(rows * classes, seed: 61, in: -3...3)
        let labels = FloatBuffer((0..<rows).map { Float(($0 * 7 + 3) % classes) })
        let probabilities = FloatBuffer(count: rows * classes)
        func fused(_ x: [Float]) -> Double {
            let x = FloatBuffer(x)
            return withExtendedLifetime(x) {
                Double(Kernels.softmaxCrossEntropy(
                    logits: x.constant, labels: labels.constant, rows: rows, classes: classes,
                    labelSmoothing: smoothing, probabilities: probabilities.pointer, gradient: nil))
            }
        }
        let x = FloatBuffer(logits)
        let g = FloatBuffer(count: rows * classes)
        _ = Kernels.softmaxCrossEntropy(logits: x.constant, labels: labels.constant, rows: rows, classes: classes,
                                        labelSmoothing: smoothing, probabilities: probabilities.pointer, gradient: g.pointer)
        expectGradient(g.values, numericGradient(at: logits, fused), "fused")

        // The unfused loss, at probabilities kept well above the clamp (rows need not sum to 1).
        let p = randomValues(rows * classes, seed: 62, in: 0.05...1)
        func unfused(_ p: [Float]) -> Double {
            let p = FloatBuffer(p)
            return withExtendedLifetime(p) {
                Double(Kernels.crossEntropy(probabilities: p.constant, labels: labels.constant, rows: rows,
                                            classes: classes, labelSmoothing: smoothing, gradient: nil))
            }
        }
        let pBuffer = FloatBuffer(p)
        let pg = FloatBuffer(count: rows * classes)
        _ = Kernels.crossEntropy(probabilities: pBuffer.constant, labels: labels.constant, rows: rows, classes: classes,
                                 labelSmoothing: smoothing, gradient: pg.pointer)
        expectGradient(pg.values, numericGradient(at: p, step: 1e-4, unfused), "unfused")
        withExtendedLifetime((x, pBuffer)) {}
    }

    @Test("oneHot writes one 1 per row")
    func oneHot() {
        let labels = FloatBuffer([2, 0, 1])
        let y = FloatBuffer(count: 9, value: .nan)
        Kernels.oneHot(labels: labels.constant, rows: 3, classes: 3, into: y.pointer)
        #expect(y.values == [0, 0, 1, 1, 0, 0, 0, 1, 0])
    }
}

// Reference values from PyTorch 2.15 in float64:
//   z = [2.0, -1.0, 0.3, -3.0, 5.0, 0.0]; t = [1.0, 0.0, 1.0, 1.0, 0.0, 0.5]
//   F.binary_cross_entropy_with_logits(z, t), its gradient, torch.sigmoid(z)
//   p = [0.9, 0.2, 0.6, 0.05, 0.999, 0.5]; F.binary_cross_entropy(p, t) and its gradient
//   F.binary_cross_entropy([0.0, 1.0, 0.5], [1.0, 0.0, 1.0]) = 66.8977157 (log clamped at -100)
//   F.mse_loss / F.l1_loss([0.5, -1.0, 2.0, 3.0], [1.0, -1.0, 0.0, 3.5]) and their gradients
struct BinaryAndRegressionLossKernelTests {
    static let targets: [Float] = [1, 0, 1, 1, 0, 0.5]

    @Test("BCE with logits matches PyTorch")
    func sigmoidBinaryCrossEntropy() {
        let z = FloatBuffer([2, -1, 0.3, -3, 5, 0])
        let t = FloatBuffer(Self.targets)
        let p = FloatBuffer(count: 6)
        let g = FloatBuffer(count: 6, value: .nan)
        let loss = Kernels.sigmoidBinaryCrossEntropy(logits: z.constant, labels: t.constant, count: 6,
                                                     probabilities: p.pointer, gradient: g.pointer)
        #expect(abs(Double(loss) - 1.62383247) < 1e-6)
        expectClose(p.values, [0.880797078, 0.268941421, 0.574442517, 0.0474258732, 0.993307149, 0.5], relative: 1e-6)
        expectClose(g.values, [-0.0198671537, 0.0448235702, -0.0709262472, -0.158762354, 0.165551192, 0],
                    relative: 1e-5, absolute: 1e-7)
    }

    @Test("BCE with logits is stable for large logits")
    func sigmoidBinaryCrossEntropyExtremes() {
        let z = FloatBuffer([100, -100])
        let t = FloatBuffer([0, 1])
        let p = FloatBuffer(count: 2)
        let loss = Kernels.sigmoidBinaryCrossEntropy(logits: z.constant, labels: t.constant, count: 2,
                                                     probabilities: p.pointer, gradient: nil)
        #expect(abs(loss - 100) < 1e-4)
        #expect(p.values == [1, 0] || (p[0] == 1 && p[1] < 1e-40))
    }

    @Test("BCE from probabilities matches PyTorch, log clamped at -100")
    func binaryCrossEntropy() {
        let p = FloatBuffer([0.9, 0.2, 0.6, 0.05, 0.999, 0.5])
        let t = FloatBuffer(Self.targets)
        let g = FloatBuffer(count: 6, value: .nan)
        let loss = Kernels.binaryCrossEntropy(probabilities: p.constant, labels: t.constant, count: 6, gradient: g.pointer)
        // float32 inputs: 0.999 as a float is 0.99900001287, and log(1 - p) feels that.
        #expect(abs(Double(loss) - 1.90599407) < 1e-5)
        expectClose(g.values, [-0.185185185, 0.208333333, -0.277777778, -3.33333333, 166.666667, 0],
                    relative: 3e-5, absolute: 1e-7)

        let clamped = FloatBuffer([0, 1, 0.5])
        let clampedTargets = FloatBuffer([1, 0, 1])
        let clampedLoss = Kernels.binaryCrossEntropy(probabilities: clamped.constant, labels: clampedTargets.constant,
                                                     count: 3, gradient: nil)
        #expect(abs(Double(clampedLoss) - 66.8977157) < 1e-4)
    }

    @Test("mean squared and absolute error match PyTorch")
    func regression() {
        let p = FloatBuffer([0.5, -1, 2, 3])
        let t = FloatBuffer([1, -1, 0, 3.5])
        let g = FloatBuffer(count: 4, value: .nan)
        #expect(Kernels.meanSquaredError(prediction: p.constant, target: t.constant, count: 4, gradient: g.pointer) == 1.125)
        #expect(g.values == [-0.25, 0, 1, -0.25])
        #expect(Kernels.meanAbsoluteError(prediction: p.constant, target: t.constant, count: 4, gradient: g.pointer) == 0.75)
        #expect(g.values == [-0.25, 0, 0.25, -0.25])   // sign(0) = 0
        #expect(Kernels.meanSquaredError(prediction: p.constant, target: t.constant, count: 4, gradient: g.pointer,
                                         scale: 2) == 1.125)
        #expect(g.values == [-0.5, 0, 2, -0.5])
    }

    @Test("gradients match finite differences")
    func gradients() {
        let count = 13
        let targets = FloatBuffer(randomValues(count, seed: 71, in: 0...1))
        let scratch = FloatBuffer(count: count)
        typealias Loss = (UnsafePointer<Float>, UnsafeMutablePointer<Float>?) -> Float
        let losses: [(String, ClosedRange<Float>, Loss)] = [
            ("bce with logits", -4...4, { x, g in
                Kernels.sigmoidBinaryCrossEntropy(logits: x, labels: targets.constant, count: count,
                                                  probabilities: scratch.pointer, gradient: g) }),
            ("bce", 0.05...0.95, { x, g in
                Kernels.binaryCrossEntropy(probabilities: x, labels: targets.constant, count: count, gradient: g) }),
            ("mse", -2...2, { x, g in
                Kernels.meanSquaredError(prediction: x, target: targets.constant, count: count, gradient: g) }),
            ("mae", -2...2, { x, g in
                Kernels.meanAbsoluteError(prediction: x, target: targets.constant, count: count, gradient: g) }),
        ]
        for (name, range, loss) in losses {
            // Keep predictions away from the targets, where mae has its kink.
            let x = randomValues(count, seed: 72, in: range).enumerated().map { i, v in
                abs(v - targets[i]) < 0.01 ? v + 0.02 : v
            }
            let input = FloatBuffer(x)
            let g = FloatBuffer(count: count)
            _ = loss(input.constant, g.pointer)
            let numeric = numericGradient(at: x) { probe in
                let probe = FloatBuffer(probe)
                return Double(withExtendedLifetime(probe) { loss(probe.constant, nil) })
            }
            expectGradient(g.values, numeric, Comment(rawValue: name))
            withExtendedLifetime(input) {}
        }
    }
}
