import DLCData
import Testing

/// A heap buffer of floats for kernel tests: kernels take raw pointers, tests want arrays.
///
/// Swift may end an object's lifetime after its last use, so a buffer whose pointer is passed
/// to a kernel must be used again afterwards (`values`) or kept in `withExtendedLifetime`.
final class FloatBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int, value: Float = 0) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        for (i, v) in values.enumerated() { pointer[i] = v }
    }

    deinit { pointer.deallocate() }

    var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    var constant: UnsafePointer<Float> { UnsafePointer(pointer) }

    subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// `count` seeded values uniform in `range`, optionally kept at least `gap` away from 0
/// (so finite differences stay clear of kinks).
func randomValues(
    _ count: Int, seed: UInt64, in range: ClosedRange<Float> = -2...2, awayFromZero gap: Float = 0
) -> [Float] {
    var generator = SeededRandom(seed: seed)
    return (0..<count).map { _ in
        var v: Float
        repeat {
            v = range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnitFloat()
        } while abs(v) < gap
        return v
    }
}

/// Central differences of a scalar function at `x`: `(f(x + h e_i) - f(x - h e_i)) / (2h)`,
/// dividing by the step actually taken in float arithmetic.
func numericGradient(at x: [Float], step h: Float = 1e-3, _ f: ([Float]) -> Double) -> [Double] {
    var probe = x
    return x.indices.map { i in
        let plus = x[i] + h
        let minus = x[i] - h
        probe[i] = plus
        let up = f(probe)
        probe[i] = minus
        let down = f(probe)
        probe[i] = x[i]
        return (up - down) / Double(plus - minus)
    }
}

/// Expects `|actual - expected| <= absolute + relative * |expected|` elementwise.
func expectClose(
    _ actual: [Float], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-6,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, comment, sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = abs(Double(a) - e) <= absolute + relative * abs(e)
        #expect(ok, "element \(i): \(a) vs expected \(e) \(comment.map { "(\($0))" } ?? "")",
                sourceLocation: sourceLocation)
    }
}

/// Expects a gradient to match finite differences: `|a - n| <= absolute + relative * max(|a|, |n|)`.
func expectGradient(
    _ analytic: [Float], _ numeric: [Double], relative: Double = 1e-2, absolute: Double = 2e-4,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(analytic.count == numeric.count, comment, sourceLocation: sourceLocation)
    for (i, (a, n)) in zip(analytic, numeric).enumerated() {
        let ok = abs(Double(a) - n) <= absolute + relative * max(abs(Double(a)), abs(n))
        #expect(ok, "gradient \(i): analytic \(a) vs numeric \(n) \(comment.map { "(\($0))" } ?? "")",
                sourceLocation: sourceLocation)
    }
}

/// `sum_i w[i] * y[i]` in Double: a scalar loss whose gradient wrt `y` is `w`.
func weightedSum(_ y: [Float], _ w: [Float]) -> Double {
    zip(y, w).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}
