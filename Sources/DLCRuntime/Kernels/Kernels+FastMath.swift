// Branch-free float32 exp, expm1, tanh and the normal cdf that the optimizer vectorizes, for the activation
// and softmax loops. libm's expf/tanhf/erff are correct but opaque calls: a loop over them
// runs one element at a time (glibc's tanhf at ~20 ns an element), while these inline into
// the loop and run four or eight lanes at once. Accuracy is measured in FastMathKernelTests.

extension Kernels {
    /// `exp(x)` for float32, within 2 ulp of the exact value (Cephes `expf`).
    ///
    /// `x = n ln2 + r` with `|r| <= ln2 / 2`; `exp(r)` by a degree-7 polynomial; `2^n` built
    /// from its exponent bits. Inputs are clamped to `[-87.3, 88.37]`, so the result stays a
    /// normal float (`exp(-100)` gives about 1e-38, not 0); NaN propagates.
    @inline(__always)
    static func fastExp(_ x: Float) -> Float {
        fastExp(x, plus: 0)
    }

    /// `exp(x + tail)` for a small `tail` that extends `x`'s precision (used where the
    /// argument is large and its float rounding alone would cost several ulp).
    @inline(__always)
    static func fastExp(_ x: Float, plus tail: Float) -> Float {
        let lo: Float = -87.3
        let hi: Float = 88.37
        // Written as comparisons, not min/max, so that NaN passes through.
        let v = x < lo ? lo : (x > hi ? hi : x)
        // Round v / ln2 to the nearest integer n with the 1.5 * 2^23 trick: adding it pushes
        // the fraction out of the mantissa, and the integer lands in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = v * 1.44269504088896341 + magic
        let n = shifted - magic
        // r = v - n ln2, with ln2 split in two so that n * c1 is exact.
        let r = ((v - n * 0.693359375) - n * -2.12194440e-4) + tail
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        // 2^n: the integer n sits in the low bits of `shifted` (offset by 0x4B40_0000).
        let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23
        return p * Float(bitPattern: exponent)
    }

    /// `x^2 / 2` as an exact `head` plus a small `tail` (Dekker's split: `x = xh + xl` with
    /// `xh` keeping the top 12 mantissa bits, so `xh^2` is exact).
    @inline(__always)
    static func halfSquare(_ x: Float) -> (head: Float, tail: Float) {
        let xh = Float(bitPattern: x.bitPattern & 0xFFFF_F000)
        let xl = x - xh
        return (0.5 * xh * xh, xl * (xh + 0.5 * xl))
    }

    /// The standard normal density `phi(x) = exp(-x^2 / 2) / sqrt(2 pi)`.
    @inline(__always)
    static func normalDensity(_ x: Float) -> Float {
        let (head, tail) = halfSquare(x)
        return 0.39894228040143268 * fastExp(-head, plus: -tail)
    }

    /// `tanh(x)` for float32 within a few ulp (Cephes `tanhf`): an odd polynomial for
    /// `|x| < 0.625`, else `1 - 2 / (exp(2|x|) + 1)` with the sign restored.
    @inline(__always)
    static func fastTanh(_ x: Float) -> Float {
        let a = abs(x)
        let e = fastExp(2 * a)
        let large = 1 - 2 / (e + 1)
        let z = x * x
        var p: Float = -5.70498872745e-3
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        return a < 0.625 ? small : (x < 0 ? -large : large)
    }

    /// `exp(x) - 1` accurate relative to its value also near 0 (elu's negative side): its
    /// Taylor series to degree 8 for `|x| < 0.5` (truncation below 1e-8 relative), else
    /// `exp(x) - 1`, which no longer cancels there.
    @inline(__always)
    static func fastExpm1(_ x: Float) -> Float {
        var p: Float = 1.0 / 40320
        p = p * x + 1.0 / 5040
        p = p * x + 1.0 / 720
        p = p * x + 1.0 / 120
        p = p * x + 1.0 / 24
        p = p * x + 1.0 / 6
        p = p * x + 0.5
        p = p * x + 1
        let series = p * x
        let direct = fastExp(x) - 1
        return abs(x) < 0.5 ? series : direct
    }

    /// The standard normal cdf `Phi(x) = erfc(-x / sqrt 2) / 2`, accurate relative to its value
    /// (so also far in the left tail), from Numerical Recipes' `erfcc` (Chebyshev fit,
    /// fractional error below 1.2e-7): `erfc(z) = t exp(-z^2 + P(t))`, `t = 1 / (1 + z/2)`.
    @inline(__always)
    static func normalCDF(_ x: Float) -> Float {
        let z = abs(x) * 0.70710678118654752
        let t = 1 / (1 + 0.5 * z)
        var p: Float = 0.17087277
        p = p * t - 0.82215223
        p = p * t + 1.48851587
        p = p * t - 1.13520398
        p = p * t + 0.27886807
        p = p * t - 0.18628806
        p = p * t + 0.09678418
        p = p * t + 0.37409196
        p = p * t + 1.00002368
        p = p * t - 1.26551223
        // exp(p - z^2) with z^2 = x^2 / 2 = head + tail; `sum` rounds p - head, and Knuth's
        // two-sum recovers what that rounding lost, so exp sees the argument to ~2^-48.
        let (head, tail) = halfSquare(x)
        let sum = p - head
        let back = sum - p
        let lost = (p - (sum - back)) + (-head - back)
        let half = 0.5 * t * fastExp(sum, plus: lost - tail)   // Phi(-|x|) = erfc(|x| / sqrt 2) / 2
        return x < 0 ? half : 1 - half
    }

    /// `sum_i x[i]` with eight partial sums so that it vectorizes, `[count] -> ()`.
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 8 <= count {
            partial += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = partial.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// `max_i x[i]` (`count >= 1`), eight lanes at a time.
    @inline(__always)
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var best = x[0]
        if count >= 8 {
            let raw = UnsafeRawPointer(x)
            var lanes = raw.loadUnaligned(as: SIMD8<Float>.self)
            i = 8
            while i + 8 <= count {
                lanes = pointwiseMax(lanes, raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
                i += 8
            }
            best = lanes.max()
        }
        while i < count {
            best = max(best, x[i])
            i += 1
        }
        return best
    }
}
