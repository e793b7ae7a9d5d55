import DLCRuntime
import Testing

struct SoftmaxKernelTests {
    // PyTorch: torch.softmax(torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.1, -0.3, 2.2, 0.0],
    //                                      [-1.2, 0.4, 0.3, 3.0]], dtype=torch.float64), 1)
    static let logits: [Float] = [1, 2, 0.5, -1, 0.1, -0.3, 2.2, 0, -1.2, 0.4, 0.3, 3]
    static let probabilities: [Double] = [
        0.224207818, 0.609460038, 0.135988916, 0.0303432286,
        0.0930983634, 0.0624056993, 0.760257054, 0.0842388828,
        0.012966628, 0.064224129, 0.058112395, 0.864696848,
    ]

    @Test("forward matches PyTorch, also in place")
    func forward() {
        let x = FloatBuffer(Self.logits)
        let y = FloatBuffer(count: 12)
        Kernels.softmax(x.constant, y.pointer, rows: 3, columns: 4)
        expectClose(y.values, Self.probabilities, relative: 1e-6, absolute: 1e-8)
        Kernels.softmax(x.constant, x.pointer, rows: 3, columns: 4)
        #expect(x.values == y.values)
    }

    @Test("large logits do not overflow, rows sum to 1", arguments: [3, 8, 19, 100])
    func stable(columns: Int) {
        let values = randomValues(2 * columns, seed: 51, in: -5...5)
        let shifted = FloatBuffer(values.map { $0 + 1000 })
        let plain = FloatBuffer(values)
        let a = FloatBuffer(count: 2 * columns)
        let b = FloatBuffer(count: 2 * columns)
        Kernels.softmax(shifted.constant, a.pointer, rows: 2, columns: columns)
        Kernels.softmax(plain.constant, b.pointer, rows: 2, columns: columns)
        expectClose(a.values, b.values.map(Double.init), relative: 1e-3, absolute: 1e-7)
        for r in 0..<2 {
            let total = a.values[r * columns..<(r + 1) * columns].reduce(0, +)
            #expect(abs(total - 1) < 1e-5)
        }
    }

    /// L = sum(W * softmax(x)): dL/dx = softmaxBackward(y, dy: W).
    @Test("backward matches finite differences", arguments: [1, 7, 19])
    func gradient(columns: Int) {
        let rows = 3
        let x = randomValues(rows * columns, seed: 52, in: -3...3)
        let w = FloatBuffer(randomValues(rows * columns, seed: 53))
        func forward(_ x: [Float]) -> [Float] {
            let (input, output) = (FloatBuffer(x), FloatBuffer(count: x.count))
            withExtendedLifetime(input) {
                Kernels.softmax(input.constant, output.pointer, rows: rows, columns: columns)
            }
            return output.values
        }
        let y = FloatBuffer(forward(x))
        let dx = FloatBuffer(count: rows * columns, value: .nan)
        Kernels.softmaxBackward(y: y.constant, dy: w.constant, dx: dx.pointer, rows: rows, columns: columns,
                                accumulate: false)
        expectGradient(dx.values, numericGradient(at: x) { weightedSum(forward($0), w.values) })

        let initial = randomValues(rows * columns, seed: 54)
        let accumulated = FloatBuffer(initial)
        Kernels.softmaxBackward(y: y.constant, dy: w.constant, dx: accumulated.pointer, rows: rows,
                                columns: columns, accumulate: true)
        expectClose(accumulated.values, zip(initial, dx.values).map { Double($0) + Double($1) }, relative: 1e-6)
    }
}
