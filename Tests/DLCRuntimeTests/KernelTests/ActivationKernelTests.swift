import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// An activation's values and derivatives at `ActivationKernelTests.points`, from PyTorch.
struct ActivationReference: Sendable, CustomTestStringConvertible {
    var kind: ActivationKind
    var parameter: Float
    var y: [Double]
    var derivative: [Double]
    var testDescription: String { "\(kind.rawValue)(\(parameter))" }
}

struct ActivationKernelTests {
    static let points: [Float] = [-4, -1.5, -0.5, -0.1, 0, 0.1, 0.5, 1.5, 4]

    // Values from PyTorch 2.15 in float64, derivatives by autograd of y.sum():
    //   x = torch.tensor([-4.0, -1.5, -0.5, -0.1, 0.0, 0.1, 0.5, 1.5, 4.0], dtype=torch.float64)
    //   for f in [F.relu, torch.sigmoid, torch.tanh, lambda v: F.leaky_relu(v, 0.2),
    //             lambda v: F.elu(v, 0.5), F.gelu, F.silu]: print(f(x), grad of f(x).sum())
    // At 0 they show PyTorch's kink conventions: relu'(0) = 0, leaky'(0) = slope, elu'(0) = alpha.
    static let references: [ActivationReference] = [
        ActivationReference(kind: .linear, parameter: 0, y: points.map(Double.init), derivative: Array(repeating: 1, count: 9)),
        ActivationReference(
            kind: .relu, parameter: 0,
            y: [0, 0, 0, 0, 0, 0.1, 0.5, 1.5, 4],
            derivative: [0, 0, 0, 0, 0, 1, 1, 1, 1]),
        ActivationReference(
            kind: .sigmoid, parameter: 0,
            y: [0.01798621, 0.182425524, 0.377540669, 0.475020813, 0.5, 0.524979187, 0.622459331, 0.817574476, 0.98201379],
            derivative: [0.0176627062, 0.149146452, 0.235003712, 0.24937604, 0.25, 0.24937604, 0.235003712, 0.149146452, 0.0176627062]),
        ActivationReference(
            kind: .tanh, parameter: 0,
            y: [-0.9993293, -0.905148254, -0.462117157, -0.0996679946, 0, 0.0996679946, 0.462117157, 0.905148254, 0.9993293],
            derivative: [0.00134095068, 0.180706639, 0.786447733, 0.990066291, 1, 0.990066291, 0.786447733, 0.180706639, 0.00134095068]),
        ActivationReference(
            kind: .leakyReLU, parameter: 0.2,
            y: [-0.8, -0.3, -0.1, -0.02, 0, 0.1, 0.5, 1.5, 4],
            derivative: [0.2, 0.2, 0.2, 0.2, 0.2, 1, 1, 1, 1]),
        ActivationReference(
            kind: .elu, parameter: 0.5,
            y: [-0.490842181, -0.38843492, -0.19673467, -0.047581291, 0, 0.1, 0.5, 1.5, 4],
            derivative: [0.00915781944, 0.11156508, 0.30326533, 0.452418709, 0.5, 1, 1, 1, 1]),
        ActivationReference(
            kind: .gelu, parameter: 0,
            y: [-0.000126684967, -0.100210802, -0.154268769, -0.0460172163, 0, 0.0539827837, 0.345731231, 1.3997892, 3.99987332],
            derivative: [-0.000503649661, -0.127469192, 0.132504875, 0.420476908, 0.5, 0.579523092, 0.867495125, 1.12746919, 1.00050365]),
        ActivationReference(
            kind: .silu, parameter: 0,
            y: [-0.0719448398, -0.273638286, -0.188770334, -0.0475020813, 0, 0.0524979187, 0.311229666, 1.22636171, 3.92805516],
            derivative: [-0.0526646149, -0.0412941543, 0.260038813, 0.450083209, 0.5, 0.549916791, 0.739961187, 1.04129415, 1.05266461]),
    ]

    @Test("forward values and derivatives match PyTorch", arguments: references)
    func matchesPyTorch(reference: ActivationReference) {
        let x = FloatBuffer(Self.points)
        let y = FloatBuffer(count: x.count)
        let ones = FloatBuffer(count: x.count, value: 1)
        let dx = FloatBuffer(count: x.count)
        Kernels.activate(reference.kind, parameter: reference.parameter, x.constant, y.pointer, count: x.count)
        expectClose(y.values, reference.y, relative: 2e-6, absolute: 1e-7, "y")
        Kernels.activateBackward(reference.kind, parameter: reference.parameter, x: x.constant, y: y.constant,
                                 dy: ones.constant, dx: dx.pointer, count: x.count, accumulate: false)
        // Derivatives read from y (sigmoid, tanh, elu) inherit y's float rounding, relative to 1.
        expectClose(dx.values, reference.derivative, relative: 1e-5, absolute: 2e-7, "dy/dx")
    }

    @Test("backward matches finite differences away from kinks", arguments: references)
    func gradient(reference: ActivationReference) {
        let count = 40
        let x = randomValues(count, seed: 31, in: -3...3, awayFromZero: 0.05)
        let w = FloatBuffer(randomValues(count, seed: 32))
        func forward(_ x: [Float]) -> [Float] {
            let (input, output) = (FloatBuffer(x), FloatBuffer(count: x.count))
            withExtendedLifetime(input) {
                Kernels.activate(reference.kind, parameter: reference.parameter, input.constant, output.pointer, count: x.count)
            }
            return output.values
        }
        let input = FloatBuffer(x)
        let y = FloatBuffer(forward(x))
        let dx = FloatBuffer(count: count, value: .nan)   // overwritten, never read
        Kernels.activateBackward(reference.kind, parameter: reference.parameter, x: input.constant, y: y.constant,
                                 dy: w.constant, dx: dx.pointer, count: count, accumulate: false)
        expectGradient(dx.values, numericGradient(at: x) { weightedSum(forward($0), w.values) })

        // accumulate adds the same gradient to what is there.
        let initial = randomValues(count, seed: 33)
        let accumulated = FloatBuffer(initial)
        Kernels.activateBackward(reference.kind, parameter: reference.parameter, x: input.constant, y: y.constant,
                                 dy: w.constant, dx: accumulated.pointer, count: count, accumulate: true)
        expectClose(accumulated.values, zip(initial, dx.values).map { Double($0) + Double($1) }, relative: 1e-6)
        withExtendedLifetime(input) {}
    }

    @Test("in place forward, and backward into dy, give the same results", arguments: references)
    func inPlace(reference: ActivationReference) {
        let count = 37   // not a multiple of the vector width
        let values = randomValues(count, seed: 41, in: -5...5)
        let x = FloatBuffer(values)
        let y = FloatBuffer(count: count)
        Kernels.activate(reference.kind, parameter: reference.parameter, x.constant, y.pointer, count: count)
        let inPlace = FloatBuffer(values)
        Kernels.activate(reference.kind, parameter: reference.parameter, inPlace.constant, inPlace.pointer, count: count)
        #expect(inPlace.values == y.values)

        let dy = FloatBuffer(randomValues(count, seed: 42))
        let dx = FloatBuffer(count: count)
        Kernels.activateBackward(reference.kind, parameter: reference.parameter, x: x.constant, y: y.constant,
                                 dy: dy.constant, dx: dx.pointer, count: count, accumulate: false)
        let shared = FloatBuffer(dy.values)
        Kernels.activateBackward(reference.kind, parameter: reference.parameter, x: x.constant, y: y.constant,
                                 dy: shared.constant, dx: shared.pointer, count: count, accumulate: false)
        #expect(shared.values == dx.values)
    }

    @Test("NaN propagates and large inputs saturate without overflow", arguments: references)
    func extremes(reference: ActivationReference) {
        let x = FloatBuffer([.nan, -1000, -100, -30, 30, 100, 1000])
        let y = FloatBuffer(count: x.count)
        let dx = FloatBuffer(count: x.count)
        let ones = FloatBuffer(count: x.count, value: 1)
        Kernels.activate(reference.kind, parameter: 0.5, x.constant, y.pointer, count: x.count)
        Kernels.activateBackward(reference.kind, parameter: 0.5, x: x.constant, y: y.constant,
                                 dy: ones.constant, dx: dx.pointer, count: x.count, accumulate: false)
        #expect(y[0].isNaN)
        // The piecewise-linear kinds pick a branch for NaN (PyTorch's relu' passes dy through).
        if ![.linear, .relu, .leakyReLU].contains(reference.kind) { #expect(dx[0].isNaN) }
        withExtendedLifetime(ones) {}
        for i in 1..<x.count {
            #expect(y[i].isFinite, "y(\(x[i])) = \(y[i])")
            #expect(dx[i].isFinite, "y'(\(x[i])) = \(dx[i])")
        }
        switch reference.kind {
        case .sigmoid: #expect(y[1] < 1e-12 && y[2] < 1e-12 && y[3] < 1e-12 && y[4] == 1 && y[6] == 1)
        case .tanh: #expect(Array(y.values[1...]) == [-1, -1, -1, 1, 1, 1])
        case .elu: #expect(y[1] == -0.5 && y[2] == -0.5)
        case .gelu, .silu: #expect(abs(y[2]) < 1e-30 && y[5] == 100)
        default: break
        }
    }
}

/// The vectorizable exp, expm1, tanh and normal cdf behind the activations, over a dense grid
/// against Double libm.
struct FastMathKernelTests {
    static func phi(_ v: Double) -> Double { 0.5 * erfc(-v / 2.0.squareRoot()) }

    static let cases: [(ActivationKind, @Sendable (Double) -> Double, @Sendable (Double) -> Double, Double)] = [
        (.sigmoid, { 1 / (1 + exp(-$0)) }, { let s = 1 / (1 + exp(-$0)); return s * (1 - s) }, 3e-7),
        (.tanh, { tanh($0) }, { 1 - tanh($0) * tanh($0) }, 3e-7),
        (.elu, { $0 > 0 ? $0 : expm1($0) }, { $0 > 0 ? 1 : exp($0) }, 3e-7),
        (.silu, { $0 / (1 + exp(-$0)) }, { let s = 1 / (1 + exp(-$0)); return s * (1 + $0 * (1 - s)) }, 3e-7),
        (.gelu, { $0 * phi($0) }, { phi($0) + $0 * exp(-0.5 * $0 * $0) / (2 * Double.pi).squareRoot() }, 5e-7),
    ]

    @Test("activations stay within a few ulp of libm on [-8, 8]", arguments: 0..<cases.count)
    func accuracy(index: Int) {
        let (kind, f, derivative, relative) = Self.cases[index]
        let count = 16001
        let x = FloatBuffer((0..<count).map { -8 + 16 * Float($0) / Float(count - 1) })
        let y = FloatBuffer(count: count)
        let dx = FloatBuffer(count: count)
        let ones = FloatBuffer(count: count, value: 1)
        Kernels.activate(kind, parameter: 1, x.constant, y.pointer, count: count)
        Kernels.activateBackward(kind, parameter: 1, x: x.constant, y: y.constant,
                                 dy: ones.constant, dx: dx.pointer, count: count, accumulate: false)
        var worst = 0.0
        var worstDerivative = 0.0
        for i in 0..<count {
            let v = Double(x[i])
            worst = max(worst, abs(Double(y[i]) - f(v)) / max(abs(f(v)), 1e-30))
            worstDerivative = max(worstDerivative, abs(Double(dx[i]) - derivative(v)))
        }
        #expect(worst <= relative, "\(kind): worst relative error \(worst)")
        withExtendedLifetime(ones) {}
        // Derivatives from y carry y's rounding (1 - y cancels), so they are checked absolutely.
        #expect(worstDerivative <= 1e-6, "\(kind): worst absolute derivative error \(worstDerivative)")
    }
}
