extension Kernels {
    /// `c[m, n] = a[m, k] b[k, n] (+ bias[n])`, row-major with leading dimensions, for products too
    /// small for `cblas_sgemm` to pay: the ones a recurrence runs every step (`[running, units] x
    /// [units, gates * units]` forward, its transpose backward) and short convolution patches
    /// (`smallPatchProduct`). `c` is overwritten and must not alias `a` or `b`.
    ///
    /// At these sizes sgemm spends most of a call packing `b` again and setting up: on the `words`
    /// LSTM (`[32, 64] x [64, 256]`) a step's product took 15.9 us through single-threaded OpenBLAS
    /// and 12.5 us here; `[32, 256] x [256, 64]` (the backward one) 14.5 and 11.0 us. Here `b` is
    /// read in place, 16 columns at a time, so that panel stays in the first-level cache while every
    /// row block runs over it, four rows and 16 columns summed in registers.
    public static func smallProduct(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                    bias: UnsafePointer<Float>? = nil,
                                    _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, k: Int) {
        guard m > 0, n > 0 else { return }
        var first = 0
        while first + 16 <= n {
            smallProductColumns(a, lda: lda, b + first, ldb: ldb, bias: bias.map { $0 + first }, c + first, ldc: ldc,
                                m: m, k: k, lanes: SIMD16<Float>.self)
            first += 16
        }
        if first + 8 <= n {
            smallProductColumns(a, lda: lda, b + first, ldb: ldb, bias: bias.map { $0 + first }, c + first, ldc: ldc,
                                m: m, k: k, lanes: SIMD8<Float>.self)
            first += 8
        }
        for column in first..<n {
            for row in 0..<m {
                var sum = bias?[column] ?? 0
                for p in 0..<k { sum += a[row * lda + p] * b[p * ldb + column] }
                c[row * ldc + column] = sum
            }
        }
    }

    /// `V.scalarCount` columns of every row of `smallProduct`, rows four at a time.
    @inline(__always)
    private static func smallProductColumns<V: SIMD>(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                                     bias: UnsafePointer<Float>?, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                                                     m: Int, k: Int, lanes: V.Type)
    where V.Scalar == Float {
        let panel = UnsafeRawPointer(b), rowBytes = ldb * MemoryLayout<Float>.stride
        let start = bias.map { UnsafeRawPointer($0).loadUnaligned(as: V.self) } ?? V()
        var row = 0
        while row + 4 <= m {
            let (a0, a1, a2, a3) = (a + row * lda, a + (row + 1) * lda, a + (row + 2) * lda, a + (row + 3) * lda)
            var (s0, s1, s2, s3) = (start, start, start, start)
            for p in 0..<k {
                let w = panel.loadUnaligned(fromByteOffset: p * rowBytes, as: V.self)
                s0 = s0.addingProduct(V(repeating: a0[p]), w)
                s1 = s1.addingProduct(V(repeating: a1[p]), w)
                s2 = s2.addingProduct(V(repeating: a2[p]), w)
                s3 = s3.addingProduct(V(repeating: a3[p]), w)
            }
            let out = UnsafeMutableRawPointer(c + row * ldc), outBytes = ldc * MemoryLayout<Float>.stride
            out.storeBytes(of: s0, as: V.self)
            out.storeBytes(of: s1, toByteOffset: outBytes, as: V.self)
            out.storeBytes(of: s2, toByteOffset: 2 * outBytes, as: V.self)
            out.storeBytes(of: s3, toByteOffset: 3 * outBytes, as: V.self)
            row += 4
        }
        while row < m {
            let a0 = a + row * lda
            var s0 = start
            for p in 0..<k { s0 = s0.addingProduct(V(repeating: a0[p]), panel.loadUnaligned(fromByteOffset: p * rowBytes, as: V.self)) }
            UnsafeMutableRawPointer(c + row * ldc).storeBytes(of: s0, as: V.self)
            row += 1
        }
    }
}
