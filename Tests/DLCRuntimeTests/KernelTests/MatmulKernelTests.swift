import DLCRuntime
import Testing

/// `op(A) * op(B)` in Double, `[m, n]`, plus `sum_p |op(A)[i, p] op(B)[p, j]|` per element
/// (the scale a float32 rounding error is relative to).
private func referenceMatmul(
    _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
) -> (product: [Double], magnitude: [Double]) {
    var product = [Double](repeating: 0, count: m * n)
    var magnitude = product
    for i in 0..<m {
        for j in 0..<n {
            for p in 0..<k {
                let x = Double(transposeA ? a[p * m + i] : a[i * k + p])
                let y = Double(transposeB ? b[j * k + p] : b[p * n + j])
                product[i * n + j] += x * y
                magnitude[i * n + j] += abs(x * y)
            }
        }
    }
    return (product, magnitude)
}

private enum MatmulPath: CaseIterable { case loop, blas, dispatch }

private func runMatmul(
    _ path: MatmulPath, _ a: FloatBuffer, _ b: FloatBuffer, _ c: FloatBuffer,
    m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool
) {
    switch path {
    case .loop:
        Kernels.loopMatmul(a.constant, b.constant, c.pointer, m: m, n: n, k: k,
                           transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
    case .blas:
        Kernels.blasMatmul(a.constant, b.constant, c.pointer, m: m, n: n, k: k,
                           transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
    case .dispatch:
        Kernels.matmul(a.constant, b.constant, c.pointer, m: m, n: n, k: k,
                       transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
    }
}

private let transposeCombinations = [(false, false), (true, false), (false, true), (true, true)]

struct MatmulKernelTests {
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 5, 7), (7, 1, 5), (3, 4, 1), (4, 4, 4), (9, 13, 17), (2, 3, 64),
        (1, 64, 64), (64, 64, 2), (32, 1, 64), (33, 65, 17), (70, 40, 90),
    ]

    @Test("loop, BLAS and dispatch agree with a Double reference", arguments: shapes)
    func pathsAgree(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = FloatBuffer(randomValues(m * k, seed: 1))
        let b = FloatBuffer(randomValues(k * n, seed: 2))
        for (transposeA, transposeB) in transposeCombinations {
            let reference = referenceMatmul(a.values, b.values, m: m, n: n, k: k,
                                            transposeA: transposeA, transposeB: transposeB)
            var results: [[Float]] = []
            for path in MatmulPath.allCases {
                let c = FloatBuffer(count: m * n, value: .nan)   // overwritten, never read
                runMatmul(path, a, b, c, m: m, n: n, k: k,
                          transposeA: transposeA, transposeB: transposeB, accumulate: false)
                for i in 0..<m * n {
                    let error = abs(Double(c[i]) - reference.product[i])
                    #expect(error <= 1e-5 * reference.magnitude[i] + 1e-7,
                            "\(path) \(m)x\(n)x\(k) tA=\(transposeA) tB=\(transposeB) [\(i)]: \(c[i]) vs \(reference.product[i])")
                }
                results.append(c.values)
            }
            // The loop and BLAS differ only in summation order.
            for i in 0..<m * n {
                #expect(abs(results[0][i] - results[1][i]) <= 1e-5 * Float(reference.magnitude[i]) + 1e-7)
            }
        }
    }

    @Test("accumulate adds the product to C", arguments: [(4, 5, 3), (40, 50, 30)])
    func accumulateAdds(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = FloatBuffer(randomValues(m * k, seed: 3))
        let b = FloatBuffer(randomValues(k * n, seed: 4))
        let initial = randomValues(m * n, seed: 5)
        for (transposeA, transposeB) in transposeCombinations {
            let reference = referenceMatmul(a.values, b.values, m: m, n: n, k: k,
                                            transposeA: transposeA, transposeB: transposeB)
            for path in MatmulPath.allCases {
                let c = FloatBuffer(initial)
                runMatmul(path, a, b, c, m: m, n: n, k: k,
                          transposeA: transposeA, transposeB: transposeB, accumulate: true)
                let expected = zip(initial, reference.product).map { Double($0) + $1 }
                expectClose(c.values, expected, relative: 1e-5, absolute: 1e-5, "\(path)")
            }
        }
    }

    @Test("an empty inner dimension gives zeros, or leaves C when accumulating")
    func emptyInnerDimension() {
        let a = FloatBuffer(count: 1)
        let b = FloatBuffer(count: 1)
        for path in MatmulPath.allCases {
            let c = FloatBuffer(count: 6, value: 7)
            runMatmul(path, a, b, c, m: 2, n: 3, k: 0, transposeA: false, transposeB: false, accumulate: true)
            #expect(c.values == [Float](repeating: 7, count: 6))
            runMatmul(path, a, b, c, m: 2, n: 3, k: 0, transposeA: false, transposeB: false, accumulate: false)
            #expect(c.values == [Float](repeating: 0, count: 6))
        }
    }

    @Test("a small fixed product")
    func smallProduct() {
        // [[1, 2], [3, 4]] * [[5, 6], [7, 8]] = [[19, 22], [43, 50]]
        let a = FloatBuffer([1, 2, 3, 4])
        let b = FloatBuffer([5, 6, 7, 8])
        let c = FloatBuffer(count: 4)
        Kernels.matmul(a.constant, b.constant, c.pointer, m: 2, n: 2, k: 2)
        #expect(c.values == [19, 22, 43, 50])
        // A^T * B = [[1, 3], [2, 4]] * B = [[26, 30], [38, 44]]
        Kernels.matmul(a.constant, b.constant, c.pointer, m: 2, n: 2, k: 2, transposeA: true)
        #expect(c.values == [26, 30, 38, 44])
        // A * B^T = [[17, 23], [39, 53]]
        Kernels.matmul(a.constant, b.constant, c.pointer, m: 2, n: 2, k: 2, transposeB: true)
        #expect(c.values == [17, 23, 39, 53])
    }

    @Test("the loop is picked for tiny and thin products, BLAS otherwise")
    func crossover() {
        #expect(Kernels.prefersLoop(m: 4, n: 4, k: 4, transposeB: false))
        #expect(Kernels.prefersLoop(m: 64, n: 64, k: 2, transposeB: false))
        #expect(Kernels.prefersLoop(m: 32, n: 1, k: 64, transposeB: false))
        #expect(!Kernels.prefersLoop(m: 16, n: 16, k: 16, transposeB: false))
        #expect(!Kernels.prefersLoop(m: 128, n: 256, k: 784, transposeB: false))
    }

    /// L = sum(W * op(A) op(B)); its gradients through `matmul` itself, as the executor
    /// composes them, against central differences.
    @Test("gradients of both operands match finite differences",
          arguments: [(false, false), (true, false), (false, true), (true, true)], [(3, 4, 5), (9, 12, 20)])
    func gradients(transpose: (Bool, Bool), shape: (Int, Int, Int)) {
        let (transposeA, transposeB) = transpose
        let (m, n, k) = shape
        let a = randomValues(m * k, seed: 11)
        let b = randomValues(k * n, seed: 12)
        let w = FloatBuffer(randomValues(m * n, seed: 13))
        func loss(_ a: [Float], _ b: [Float]) -> Double {
            let (a, b, c) = (FloatBuffer(a), FloatBuffer(b), FloatBuffer(count: m * n))
            withExtendedLifetime((a, b)) {
                Kernels.matmul(a.constant, b.constant, c.pointer, m: m, n: n, k: k,
                               transposeA: transposeA, transposeB: transposeB)
            }
            return weightedSum(c.values, w.values)
        }
        let aBuffer = FloatBuffer(a)
        let bBuffer = FloatBuffer(b)
        let da = FloatBuffer(count: m * k)
        let db = FloatBuffer(count: k * n)
        // dop(A) = dC op(B)^T and dop(B) = op(A)^T dC, transposed back to A's and B's storage.
        if transposeA {
            Kernels.matmul(bBuffer.constant, w.constant, da.pointer, m: k, n: m, k: n,
                           transposeA: transposeB, transposeB: true)
        } else {
            Kernels.matmul(w.constant, bBuffer.constant, da.pointer, m: m, n: k, k: n, transposeB: !transposeB)
        }
        if transposeB {
            Kernels.matmul(w.constant, aBuffer.constant, db.pointer, m: n, n: k, k: m,
                           transposeA: true, transposeB: transposeA)
        } else {
            Kernels.matmul(aBuffer.constant, w.constant, db.pointer, m: k, n: n, k: m, transposeA: !transposeA)
        }
        // L is linear in each operand, so a large step has no truncation error and keeps the
        // float32 rounding of C small against the difference.
        expectGradient(da.values, numericGradient(at: a, step: 0.25) { loss($0, b) }, "dA")
        expectGradient(db.values, numericGradient(at: b, step: 0.25) { loss(a, $0) }, "dB")
    }
}

struct SmallProductTests {
    /// Shapes around the 16- and 8-column panels and the 4-row blocks, inside larger rows
    /// (leading dimensions wider than the product), as a recurrence's per-step products are.
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (3, 7, 5), (4, 8, 3), (5, 16, 9), (7, 24, 64), (32, 256, 64), (33, 25, 17), (9, 64, 256),
    ]

    @Test("matches a Double reference, writing only its own columns", arguments: shapes, [false, true])
    func matchesReference(shape: (Int, Int, Int), withBias: Bool) {
        let (m, n, k) = shape
        let bias = FloatBuffer(randomValues(n, seed: 33))
        let (lda, ldb, ldc) = (k + 3, n + 5, n + 2)
        let a = FloatBuffer(randomValues(m * lda, seed: 31))
        let b = FloatBuffer(randomValues(k * ldb, seed: 32))
        let c = FloatBuffer(count: m * ldc, value: 7)
        Kernels.smallProduct(a.constant, lda: lda, b.constant, ldb: ldb, bias: withBias ? bias.constant : nil,
                             c.pointer, ldc: ldc, m: m, n: n, k: k)
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else {
                    #expect(c[i * ldc + j] == 7, "[\(i), \(j)] outside the product was written")
                    continue
                }
                var sum = withBias ? Double(bias[j]) : 0, magnitude = abs(sum)
                for p in 0..<k {
                    let term = Double(a[i * lda + p]) * Double(b[p * ldb + j])
                    sum += term
                    magnitude += abs(term)
                }
                #expect(abs(Double(c[i * ldc + j]) - sum) <= 1e-5 * magnitude + 1e-7, "\(m)x\(n)x\(k) [\(i), \(j)]")
            }
        }
    }
}

struct BiasKernelTests {
    @Test("addBias adds a row vector to every row")
    func addBias() {
        let x = FloatBuffer([1, 2, 3, 4, 5, 6])
        let bias = FloatBuffer([10, 20, 30])
        Kernels.addBias(x.pointer, bias.constant, rows: 2, columns: 3)
        #expect(x.values == [11, 22, 33, 14, 25, 36])
    }

    @Test("sumRows sums columns, and accumulates on request")
    func sumRows() {
        let dy = FloatBuffer([1, 2, 3, 4, 5, 6])
        let db = FloatBuffer(count: 3, value: .nan)
        Kernels.sumRows(dy.constant, into: db.pointer, rows: 2, columns: 3, accumulate: false)
        #expect(db.values == [5, 7, 9])
        Kernels.sumRows(dy.constant, into: db.pointer, rows: 2, columns: 3, accumulate: true)
        #expect(db.values == [10, 14, 18])
    }

    /// L = sum(W * (x + b)): dL/db = sumRows(W), dL/dx = W.
    @Test("the bias gradient (sumRows) matches finite differences")
    func biasGradient() {
        let rows = 5, columns = 7
        let x = randomValues(rows * columns, seed: 21)
        let bias = randomValues(columns, seed: 22)
        let w = FloatBuffer(randomValues(rows * columns, seed: 23))
        func loss(_ x: [Float], _ bias: [Float]) -> Double {
            let (y, bias) = (FloatBuffer(x), FloatBuffer(bias))
            withExtendedLifetime(bias) {
                Kernels.addBias(y.pointer, bias.constant, rows: rows, columns: columns)
            }
            return weightedSum(y.values, w.values)
        }
        let db = FloatBuffer(count: columns)
        Kernels.sumRows(w.constant, into: db.pointer, rows: rows, columns: columns, accumulate: false)
        // L is linear, so a large step is exact up to rounding.
        expectGradient(db.values, numericGradient(at: bias, step: 0.25) { loss(x, $0) }, "db")
        expectGradient(w.values, numericGradient(at: x, step: 0.25) { loss($0, bias) }, "dx")
    }
}
