import DLCData
import DLCRuntime
import Testing

struct DropoutKernelTests {
    @Test("masks keep about 1 - rate, scaled by 1 / (1 - rate)", arguments: [Float(0.1), 0.3, 0.5, 0.9])
    func mask(rate: Float) {
        let count = 100_000
        let mask = FloatBuffer(count: count)
        var generator = SeededRandom(seed: 7)
        Kernels.dropoutMask(mask.pointer, count: count, rate: rate, generator: &generator)
        let keep = 1 / (1 - rate)
        #expect(mask.values.allSatisfy { $0 == 0 || $0 == keep })
        let kept = Double(mask.values.filter { $0 != 0 }.count) / Double(count)
        #expect(abs(kept - Double(1 - rate)) < 0.01, "kept \(kept)")
        let mean = mask.values.reduce(0.0) { $0 + Double($1) } / Double(count)
        #expect(abs(mean - 1) < 0.05, "mean \(mean)")
    }

    @Test("masks are deterministic per seed")
    func deterministic() {
        func draw(seed: UInt64) -> [Float] {
            let mask = FloatBuffer(count: 1000)
            var generator = SeededRandom(seed: seed)
            Kernels.dropoutMask(mask.pointer, count: 1000, rate: 0.5, generator: &generator)
            return mask.values
        }
        #expect(draw(seed: 3) == draw(seed: 3))
        #expect(draw(seed: 3) != draw(seed: 4))
    }

    @Test("rate 0 keeps everything, rate 1 drops everything")
    func edges() {
        let mask = FloatBuffer(count: 500)
        var generator = SeededRandom(seed: 1)
        Kernels.dropoutMask(mask.pointer, count: 500, rate: 0, generator: &generator)
        #expect(mask.values.allSatisfy { $0 == 1 })
        Kernels.dropoutMask(mask.pointer, count: 500, rate: 1, generator: &generator)
        #expect(mask.values.allSatisfy { $0 == 0 })
    }
}

struct InitializerKernelTests {
    static let fanIn = 100
    static let fanOut = 50

    /// The variance each initializer should have for fanIn 100, fanOut 50.
    static func expectedVariance(_ kind: InitializerKind) -> Double {
        let fanIn = Double(Self.fanIn), fanOut = Double(Self.fanOut)
        switch kind {
        case .heNormal: return 2 / fanIn
        case .heUniform: return 6 / fanIn / 3   // limit^2 / 3
        case .glorotNormal: return 2 / (fanIn + fanOut)
        case .glorotUniform: return 6 / (fanIn + fanOut) / 3
        case .lecunNormal: return 1 / fanIn
        case .zeros: return 0
        }
    }

    static func draw(_ kind: InitializerKind, count: Int = 10_000, seed: UInt64 = 5) -> [Float] {
        let w = FloatBuffer(count: count, value: .nan)
        var generator = SeededRandom(seed: seed)
        Kernels.initialize(w.pointer, count: count, kind: kind, fanIn: fanIn, fanOut: fanOut, generator: &generator)
        return w.values
    }

    @Test("variance within 10% of the formula, mean near 0", arguments: InitializerKind.allCases)
    func variance(kind: InitializerKind) {
        let w = Self.draw(kind)
        let mean = w.reduce(0.0) { $0 + Double($1) } / Double(w.count)
        let variance = w.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(w.count - 1)
        let expected = Self.expectedVariance(kind)
        #expect(abs(variance - expected) <= 0.1 * expected, "\(kind): variance \(variance), expected \(expected)")
        #expect(abs(mean) <= 0.05 * max(expected.squareRoot(), 1e-30) + (expected == 0 ? 0 : 0.01))
        if kind == .heUniform || kind == .glorotUniform {
            let limit = Float((3 * expected).squareRoot())
            #expect(w.allSatisfy { abs($0) <= limit })
        }
    }

    @Test("seeded: the same seed gives the same weights", arguments: InitializerKind.allCases)
    func deterministic(kind: InitializerKind) {
        #expect(Self.draw(kind, count: 100, seed: 9) == Self.draw(kind, count: 100, seed: 9))
        if kind != .zeros {
            #expect(Self.draw(kind, count: 100, seed: 9) != Self.draw(kind, count: 100, seed: 10))
        }
    }
}
