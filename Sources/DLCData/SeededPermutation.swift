/// Seeded shuffles with a fixed algorithm, so the same generator state gives the same order
/// on every platform and with every standard library (unlike `shuffle(using:)`).
enum SeededPermutation {
    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject); `bound` must be at least 1.
    @inline(__always)
    static func index(below bound: Int, using random: inout SeededRandom) -> Int {
        let limit = UInt64(bound)
        var product = random.next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold {
                product = random.next().multipliedFullWidth(by: limit)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place (Fisher-Yates, from the last position down).
    static func shuffle<Element>(_ values: inout [Element], using random: inout SeededRandom) {
        guard values.count > 1 else { return }
        for position in stride(from: values.count - 1, to: 0, by: -1) {
            let other = index(below: position + 1, using: &random)
            if other != position { values.swapAt(position, other) }
        }
    }

    /// A random permutation of `0..<count`.
    static func shuffled(count: Int, using random: inout SeededRandom) -> [Int] {
        var values = Array(0..<max(count, 0))
        shuffle(&values, using: &random)
        return values
    }
}
