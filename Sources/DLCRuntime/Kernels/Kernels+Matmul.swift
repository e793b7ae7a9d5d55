import CBLAS

extension Kernels {
    /// At most this many multiply-adds (`m * n * k`) always run in the plain Swift loop: below
    /// it `cblas_sgemm`'s call and dispatch overhead (about 0.15 us) dominates.
    public static let loopWorkLimit = 256

    /// Up to this many multiply-adds, thin products whose loop form has a long contiguous
    /// inner loop also run in Swift (see `prefersLoop`).
    public static let thinLoopWorkLimit = 16384

    /// Whether `matmul` runs the Swift loop rather than OpenBLAS for this shape.
    ///
    /// Measured in release (x86-64, AVX-512 OpenBLAS, Swift code built for baseline SSE) over
    /// all m, n, k in {1, 2, ..., 64} with m*n*k <= 16384 and all four transpose combinations:
    /// the loop wins up to about 256-512 multiply-adds overall, and up to ~16k for thin shapes
    /// where it runs at most two long (>= 16) vectorized inner loops per row of C, e.g.
    /// `[64, 64] x [1, 64]` or `[32, 64] * [64, 1]`, where BLAS falls to its slow edge cases.
    /// This rule is within 6% of always picking the faster one on that set (pure BLAS: +16%).
    @inline(__always)
    public static func prefersLoop(m: Int, n: Int, k: Int, transposeB: Bool) -> Bool {
        let work = m * n * k
        if work <= loopWorkLimit { return true }
        if work > thinLoopWorkLimit { return false }
        // The loop form: dot products along k when B is transposed (or a column), else axpy
        // along n; `inner` is the vectorized length, `perRow` how many of them per row of C.
        let dotForm = transposeB || n == 1
        let inner = dotForm ? k : n
        let perRow = dotForm ? n : k
        return inner >= 16 && perRow <= 2
    }

    /// Matrix product `C[m, n] (+)= op(A)[m, k] * op(B)[k, n]`.
    ///
    /// `op(A)` is `A` stored `[m, k]`, or with `transposeA` the transpose of `A` stored `[k, m]`;
    /// likewise `op(B)` is `B` stored `[k, n]` or the transpose of `B` stored `[n, k]`.
    /// With `accumulate` the product is added to `C`, otherwise `C` is overwritten (its old
    /// contents, even NaN, are ignored). `C` must not alias `A` or `B`.
    ///
    /// Gradients of `C = A * B` (all untransposed), the rules the executor composes:
    /// `dA[m, k] = dC * B^T` (`matmul(dC, B, m: m, n: k, k: n, transposeB: true)`),
    /// `dB[k, n] = A^T * dC` (`matmul(A, dC, m: k, n: n, k: m, transposeA: true)`).
    @inline(__always)
    public static func matmul(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false
    ) {
        if prefersLoop(m: m, n: n, k: k, transposeB: transposeB) {
            loopMatmul(a, b, c, m: m, n: n, k: k,
                       transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
        } else {
            blasMatmul(a, b, c, m: m, n: n, k: k,
                       transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
        }
    }

    /// `matmul` always through OpenBLAS `cblas_sgemm` (row-major, loaded on first use); public for tests and benchmarks.
    public static func blasMatmul(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // An empty sum: C = 0 (or unchanged). BLAS rejects leading dimensions of 0.
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        // Row-major leading dimensions are the stored row lengths.
        let lda = transposeA ? m : k   // A stored [k, m] or [m, k]
        let ldb = transposeB ? k : n   // B stored [n, k] or [k, n]
        let status = dlc_sgemm(
            transposeA ? 1 : 0, transposeB ? 1 : 0,
            Int32(m), Int32(n), Int32(k),
            1, a, Int32(lda), b, Int32(ldb),
            accumulate ? 1 : 0, c, Int32(n))
        // Without OpenBLAS (the commands that train say so first: `BLASSetup.requireLibrary`),
        // the same product through the loops.
        if status != 0 {
            loopMatmul(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, accumulate: accumulate)
        }
    }

    /// `matmul` always through plain Swift loops; public for tests and benchmarks.
    ///
    /// Without `transposeB` the loop order is i-p-j: `C[i, :] += op(A)[i, p] * B[p, :]`, whose
    /// inner loop runs along contiguous rows of `B` and `C` and vectorizes. With `transposeB`
    /// each element is a dot product of two rows (`C[i, j] += A[i, :] . B[j, :]`).
    public static func loopMatmul(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int,
        transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false
    ) {
        if m == 0 || n == 0 { return }
        if !accumulate { c.update(repeating: 0, count: m * n) }
        if k == 0 { return }
        // A vector operand has the same memory transposed or not: A [1, k] is A^T stored [k, 1],
        // and B [k, 1] is B^T stored [1, k]. Picking the contiguous form helps the loops below.
        let transposeA = m == 1 ? false : transposeA
        let transposeB = n == 1 ? true : transposeB
        switch (transposeA, transposeB) {
        case (false, false):
            for i in 0..<m {
                let cRow = c + i * n
                for p in 0..<k { axpy(a[i * k + p], b + p * n, cRow, count: n) }
            }
        case (true, false):
            for i in 0..<m {
                let cRow = c + i * n
                for p in 0..<k { axpy(a[p * m + i], b + p * n, cRow, count: n) }
            }
        case (false, true):
            for i in 0..<m {
                let aRow = a + i * k
                let cRow = c + i * n
                if k >= 8 {
                    for j in 0..<n { cRow[j] += dot(aRow, b + j * k, count: k) }
                } else {
                    for j in 0..<n {
                        let bRow = b + j * k
                        var sum: Float = 0
                        for p in 0..<k { sum += aRow[p] * bRow[p] }
                        cRow[j] += sum
                    }
                }
            }
        case (true, true):
            // A stored [k, m] (column i strided by m), B stored [n, k].
            for i in 0..<m {
                let cRow = c + i * n
                for j in 0..<n {
                    let bRow = b + j * k
                    var sum: Float = 0
                    for p in 0..<k { sum += a[p * m + i] * bRow[p] }
                    cRow[j] += sum
                }
            }
        }
    }

    /// Sets how many threads OpenBLAS uses for the large products (`openblas_set_num_threads`).
    public static func setThreadCount(_ count: Int) {
        dlc_blas_set_threads(Int32(max(1, count)))
    }

    /// How many threads OpenBLAS uses now (`openblas_get_num_threads`).
    public static var threadCount: Int { Int(dlc_blas_threads()) }

    /// Adds a bias to every row: `x[rows, columns] += bias[columns]` broadcast over rows.
    ///
    /// Gradient: `d(x + b)/db = 1` per row, so `db = sumRows(dy)`; `dx = dy`.
    public static func addBias(
        _ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, columns: Int
    ) {
        for r in 0..<rows {
            let row = x + r * columns
            for c in 0..<columns { row[c] += bias[c] }
        }
    }

    /// Column sums, the bias gradient: `db[c] (+)= sum_r dy[r, c]`, `[rows, columns] -> [columns]`.
    public static func sumRows(
        _ dy: UnsafePointer<Float>, into db: UnsafeMutablePointer<Float>,
        rows: Int, columns: Int, accumulate: Bool
    ) {
        if !accumulate { db.update(repeating: 0, count: columns) }
        for r in 0..<rows {
            let row = dy + r * columns
            for c in 0..<columns { db[c] += row[c] }
        }
    }

    /// `y[i] += alpha * x[i]` for `count` elements (BLAS's saxpy, inlined for short rows).
    @inline(__always)
    static func axpy(
        _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
    ) {
        for j in 0..<count { y[j] += alpha * x[j] }
    }

    /// `sum_i x[i] * y[i]` with eight partial sums so that it vectorizes (float addition is
    /// not reassociated by the optimizer on its own).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD8<Float>()
        var p = 0
        let rawX = UnsafeRawPointer(x)
        let rawY = UnsafeRawPointer(y)
        let stride = MemoryLayout<Float>.stride
        while p + 8 <= count {
            let xv = rawX.loadUnaligned(fromByteOffset: p * stride, as: SIMD8<Float>.self)
            let yv = rawY.loadUnaligned(fromByteOffset: p * stride, as: SIMD8<Float>.self)
            partial += xv * yv
            p += 8
        }
        var sum = partial.sum()
        while p < count {
            sum += x[p] * y[p]
            p += 1
        }
        return sum
    }
}
