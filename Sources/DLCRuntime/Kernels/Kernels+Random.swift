import DLCData

extension Kernels {
    /// Inverted-dropout mask, `[rows, width]`: `mask[r, j] = u >= rate ? 1 / (1 - rate) : 0` with
    /// `u` uniform in [0, 1).
    ///
    /// Forward is `y = x * mask` and backward `dx = dy * mask` (`d(x * m)/dx = m`); scaling the
    /// kept units by `1 / (1 - rate)` keeps `E[y] = x`, so inference needs no rescaling.
    ///
    /// Each example's numbers come from its own generator, keyed by the seed, the dropout layer
    /// (`stream`), the training step and the example's row in the whole batch (`firstRow + r`): a
    /// rank of a data-parallel run that trains on rows 32..<64 of a batch draws the masks one
    /// process draws for those rows, and a resumed run needs only the step to draw what an
    /// uninterrupted one would. `rate >= 1` drops everything.
    public static func dropoutMask(
        _ mask: UnsafeMutablePointer<Float>, rows: Int, width: Int, rate: Float,
        seed: UInt64, stream: Int, step: Int, firstRow: Int
    ) {
        let keep: Float = rate < 1 ? 1 / (1 - rate) : 0
        var keyed = SeededRandom(seed: seed, stream: UInt64(truncatingIfNeeded: stream) &<< 40 ^ UInt64(truncatingIfNeeded: step))
        let key = keyed.next()
        for r in 0..<rows {
            var generator = SeededRandom(seed: key, stream: UInt64(truncatingIfNeeded: firstRow + r))
            let row = mask + r * width
            for j in 0..<width {
                row[j] = generator.nextUnitFloat() >= rate ? keep : 0
            }
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
        case .recurrentUniform:
            fillUniform(w, count: count, limit: (1 / fanIn).squareRoot(), generator: &generator)
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
