import DLCData
import DLCRuntime
import Testing

struct DropoutKernelTests {
    static func draw(rows: Int = 100, width: Int = 1000, rate: Float = 0.5, seed: UInt64 = 3, stream: Int = 1, step: Int = 0,
                     firstRow: Int = 0) -> [Float] {
        let mask = FloatBuffer(count: rows * width)
        Kernels.dropoutMask(mask.pointer, rows: rows, width: width, rate: rate, seed: seed, stream: stream, step: step, firstRow: firstRow)
        return mask.values
    }

    @Test("masks keep about 1 - rate, scaled by 1 / (1 - rate)", arguments: [Float(0.1), 0.3, 0.5, 0.9])
    func mask(rate: Float) {
        let values = Self.draw(rate: rate)
        let keep = 1 / (1 - rate)
        #expect(values.allSatisfy { $0 == 0 || $0 == keep })
        let kept = Double(values.filter { $0 != 0 }.count) / Double(values.count)
        #expect(abs(kept - Double(1 - rate)) < 0.01, "kept \(kept)")
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        #expect(abs(mean - 1) < 0.05, "mean \(mean)")
    }

    @Test("masks are deterministic per seed, layer and step, and differ when any changes")
    func deterministic() {
        #expect(Self.draw() == Self.draw())
        #expect(Self.draw(seed: 3) != Self.draw(seed: 4))
        #expect(Self.draw(stream: 1) != Self.draw(stream: 2))
        #expect(Self.draw(step: 0) != Self.draw(step: 1))
    }

    /// What makes data-parallel dropout equal one process's: rows 40..<100 of a batch, drawn as
    /// a part starting at row 40, are the whole batch's rows 40..<100.
    @Test("a part of a batch draws the whole batch's masks for its rows")
    func partsOfABatch() {
        let whole = Self.draw(rows: 100, width: 37, step: 5)
        let head = Self.draw(rows: 40, width: 37, step: 5, firstRow: 0)
        let tail = Self.draw(rows: 60, width: 37, step: 5, firstRow: 40)
        #expect(head + tail == whole)
        // Rows are not one stream cut in pieces: row 40 alone is row 40 of the whole.
        #expect(Self.draw(rows: 1, width: 37, step: 5, firstRow: 40) == Array(whole[(40 * 37)..<(41 * 37)]))
    }

    /// Successive rows and steps are independent: neighbouring rows agree on about half the
    /// units at rate 0.5, not all.
    @Test("rows and steps draw independent masks")
    func independence() {
        let values = Self.draw(rows: 2, width: 10_000, step: 9)
        let agree = zip(values[..<10_000], values[10_000...]).filter { $0 == $1 }.count
        #expect(abs(Double(agree) / 10_000 - 0.5) < 0.03)
        let next = Self.draw(rows: 1, width: 10_000, step: 10)
        let sameAcrossSteps = zip(values[..<10_000], next).filter { $0 == $1 }.count
        #expect(abs(Double(sameAcrossSteps) / 10_000 - 0.5) < 0.03)
    }

    @Test("rate 0 keeps everything, rate 1 drops everything")
    func edges() {
        #expect(Self.draw(rows: 5, width: 100, rate: 0).allSatisfy { $0 == 1 })
        #expect(Self.draw(rows: 5, width: 100, rate: 1).allSatisfy { $0 == 0 })
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
        case .recurrentUniform: return 1 / fanIn / 3
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
