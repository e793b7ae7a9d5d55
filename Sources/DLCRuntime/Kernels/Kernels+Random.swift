import DLCData

extension Kernels {
    /// Inverted-dropout mask, `[count]`: `mask[i] = u_i >= rate ? 1 / (1 - rate) : 0` with
    /// `u_i` uniform in [0, 1) from `generator`.
    ///
    /// Forward is `y = x * mask` and backward `dx = dy * mask` (`d(x * m)/dx = m`); scaling the
    /// kept units by `1 / (1 - rate)` keeps `E[y] = x`, so inference needs no rescaling.
    /// Draws exactly `count` numbers for every `rate`, so the stream stays aligned across
    /// runs; `rate >= 1` drops everything.
    public static func dropoutMask(
        _ mask: UnsafeMutablePointer<Float>, count: Int, rate: Float, generator: inout SeededRandom
    ) {
        let keep: Float = rate < 1 ? 1 / (1 - rate) : 0
        for i in 0..<count {
            mask[i] = generator.nextUnitFloat() >= rate ? keep : 0
        }
    }

    /// Fills a weight tensor of `count` elements with seeded random values (see
    /// `InitializerKind` for the formulas by `fanIn` and `fanOut`).
    ///
    /// For a dense layer `[in, out]`, `fanIn = in` and `fanOut = out`; for a convolution,
    /// both are multiplied by the kernel area. A fan of 0 counts as 1.
    public static func initialize(
        _ w: UnsafeMutablePointer<Float>, count: Int, kind: InitializerKind,
        fanIn: Int, fanOut: Int, generator: inout SeededRandom
    ) {
        let fanIn = Double(max(fanIn, 1))
        let fanOut = Double(max(fanOut, 1))
        switch kind {
        case .zeros:
            w.update(repeating: 0, count: count)
        case .heNormal:
            fillNormal(w, count: count, standardDeviation: (2 / fanIn).squareRoot(), generator: &generator)
        case .glorotNormal:
            fillNormal(w, count: count, standardDeviation: (2 / (fanIn + fanOut)).squareRoot(),
                       generator: &generator)
        case .lecunNormal:
            fillNormal(w, count: count, standardDeviation: (1 / fanIn).squareRoot(), generator: &generator)
        case .heUniform:
            fillUniform(w, count: count, limit: (6 / fanIn).squareRoot(), generator: &generator)
        case .glorotUniform:
            fillUniform(w, count: count, limit: (6 / (fanIn + fanOut)).squareRoot(), generator: &generator)
        }
    }

    /// `w[i] = standardDeviation * N(0, 1)`.
    static func fillNormal(
        _ w: UnsafeMutablePointer<Float>, count: Int, standardDeviation: Double,
        generator: inout SeededRandom
    ) {
        for i in 0..<count { w[i] = Float(standardDeviation * generator.nextGaussian()) }
    }

    /// `w[i]` uniform on `[-limit, limit)`; variance `limit^2 / 3`.
    static func fillUniform(
        _ w: UnsafeMutablePointer<Float>, count: Int, limit: Double, generator: inout SeededRandom
    ) {
        for i in 0..<count { w[i] = Float((2 * generator.nextUnitDouble() - 1) * limit) }
    }
}
