/// `fastExp`, `fastTanh` and the sigmoid on eight lanes at once, for the recurrent gates: their
/// loops read and write several arrays, which the optimizer does not vectorize on its own (it
/// cannot rule out that they overlap). Same formulas, same accuracy as the scalar versions.
extension Kernels {
    typealias Lanes = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

    @inline(__always)
    static func fastExp(_ x: Lanes) -> Lanes {
        // Masks rather than `clamped`: that goes through the generic `pointwiseMin` and `pointwiseMax`,
        // which the optimizer leaves as calls (a tenth of an LSTM step's time once).
        let v = x.replacing(with: -87.3, where: x .< -87.3).replacing(with: 88.37, where: x .> 88.37)
        let magic = Lanes(repeating: 12_582_912)
        let shifted = v * 1.44269504088896341 + magic
        let n = shifted - magic
        let r = (v - n * 0.693359375) - n * -2.12194440e-4
        var p = Lanes(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self)
        let exponent = (bits &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Lanes.self)
    }

    @inline(__always)
    static func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + fastExp(-x)) }

    @inline(__always)
    static func fastTanh(_ x: Lanes) -> Lanes {
        let negative = x .< 0
        let a = x.replacing(with: -x, where: negative)
        let e = fastExp(2 * a)
        var large = 1 - 2 / (e + 1)
        large.replace(with: -large, where: negative)
        let z = x * x
        var p = Lanes(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        return large.replacing(with: small, where: a .< 0.625)
    }
}
