#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates the seeded synthetic sets a spec names with `builtin:`.
///
/// Every random number comes from `SeededRandom(seed: seed, stream: randomStream)`, so a set
/// depends only on its name, size, noise and seed. `noise` is the standard deviation of Gaussian
/// noise added to every feature (to the target for `sine`); 0 leaves the exact points.
enum SyntheticDatasetGenerator {
    /// The random stream of the synthetic sets: far from the splitter's (1), the batches'
    /// (1000 + epoch) and small per-layer streams such as dropout's.
    static let randomStream: UInt64 = 0xDA7A_0000

    /// `samples` examples of `dataset`; `samples` must be at least 1 and `noise` finite and >= 0.
    static func generate(_ dataset: SyntheticDataset, samples: Int, noise: Double, seed: UInt64) -> Dataset {
        var random = SeededRandom(seed: seed, stream: randomStream)
        switch dataset {
        case .xor: return xor(samples: samples, noise: noise, random: &random)
        case .moons: return moons(samples: samples, noise: noise, random: &random)
        case .circles: return circles(samples: samples, noise: noise, random: &random)
        case .spirals: return spirals(samples: samples, noise: noise, random: &random)
        case .sine: return sine(samples: samples, noise: noise, random: &random)
        }
    }

    /// The corners `(0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0`, repeated in that order.
    static func xor(samples: Int, noise: Double, random: inout SeededRandom) -> Dataset {
        let corners: [(x: Double, y: Double, label: Int)] = [(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)]
        let points = (0..<samples).map { corners[$0 % 4] }
        return twoClasses(points, noise: noise, random: &random, shuffle: false)
    }

    /// scikit-learn's `make_moons`: an upper half circle (class 0, `samples / 2` points) and a
    /// lower one shifted right and down (class 1, the rest), evenly spaced, then shuffled.
    static func moons(samples: Int, noise: Double, random: inout SeededRandom) -> Dataset {
        let outer = samples / 2, inner = samples - outer
        var points: [(x: Double, y: Double, label: Int)] = []
        points.reserveCapacity(samples)
        for angle in linearSpace(0, Double.pi, count: outer, endpoint: true) {
            points.append((cos(angle), sin(angle), 0))
        }
        for angle in linearSpace(0, Double.pi, count: inner, endpoint: true) {
            points.append((1 - cos(angle), 1 - sin(angle) - 0.5, 1))
        }
        return twoClasses(points, noise: noise, random: &random, shuffle: true)
    }

    /// scikit-learn's `make_circles` with `factor` 0.5: a unit circle (class 0, `samples / 2`
    /// points) around a circle of radius 0.5 (class 1, the rest), evenly spaced, then shuffled.
    static func circles(samples: Int, noise: Double, random: inout SeededRandom) -> Dataset {
        let factor = 0.5
        let outer = samples / 2, inner = samples - outer
        var points: [(x: Double, y: Double, label: Int)] = []
        points.reserveCapacity(samples)
        for angle in linearSpace(0, 2 * Double.pi, count: outer, endpoint: false) {
            points.append((cos(angle), sin(angle), 0))
        }
        for angle in linearSpace(0, 2 * Double.pi, count: inner, endpoint: false) {
            points.append((factor * cos(angle), factor * sin(angle), 1))
        }
        return twoClasses(points, noise: noise, random: &random, shuffle: true)
    }

    /// Two spiral arms, `samples / 2` points in class 0 and the rest in class 1: radius `t` and
    /// angle `4πt` (`+π` for class 1) with `t = 1/n, 2/n, ..., 1` along each arm; then shuffled.
    static func spirals(samples: Int, noise: Double, random: inout SeededRandom) -> Dataset {
        let first = samples / 2
        var points: [(x: Double, y: Double, label: Int)] = []
        points.reserveCapacity(samples)
        for (label, armCount) in [(0, first), (1, samples - first)] {
            for step in 0..<armCount {
                let t = Double(step + 1) / Double(armCount)
                let angle = 4 * Double.pi * t + (label == 1 ? Double.pi : 0)
                points.append((t * cos(angle), t * sin(angle), label))
            }
        }
        return twoClasses(points, noise: noise, random: &random, shuffle: true)
    }

    /// `x` uniform in `[-π, π]`, `y = sin(x)` plus noise: regression, one feature, one target.
    static func sine(samples: Int, noise: Double, random: inout SeededRandom) -> Dataset {
        var features = [Float](repeating: 0, count: samples)
        var targets = [Float](repeating: 0, count: samples)
        for index in 0..<samples {
            let x = -Double.pi + 2 * Double.pi * random.nextUnitDouble()
            features[index] = Float(x)
            targets[index] = Float(sin(x))
        }
        if noise > 0 {
            for index in 0..<samples {
                targets[index] = Float(Double(targets[index]) + noise * random.nextGaussian())
            }
        }
        return Dataset(
            features: features, exampleShape: [1], count: samples,
            labels: [], targets: targets, targetWidth: 1, classNames: [])
    }

    /// A two-class dataset of `points`, shuffled when asked, with Gaussian noise on both coordinates.
    private static func twoClasses(
        _ points: [(x: Double, y: Double, label: Int)], noise: Double, random: inout SeededRandom, shuffle: Bool
    ) -> Dataset {
        let order = shuffle ? SeededPermutation.shuffled(count: points.count, using: &random) : Array(points.indices)
        var features = [Float](repeating: 0, count: 2 * points.count)
        var labels = [Float](repeating: 0, count: points.count)
        for (row, index) in order.enumerated() {
            var (x, y) = (points[index].x, points[index].y)
            if noise > 0 {
                x += noise * random.nextGaussian()
                y += noise * random.nextGaussian()
            }
            features[2 * row] = Float(x)
            features[2 * row + 1] = Float(y)
            labels[row] = Float(points[index].label)
        }
        return Dataset(
            features: features, exampleShape: [2], count: points.count,
            labels: labels, targets: [], targetWidth: 1, classNames: ["0", "1"])
    }

    /// numpy's `linspace`: `count` evenly spaced values from `start`, ending at `stop` when
    /// `endpoint` is true and one step before it otherwise.
    static func linearSpace(_ start: Double, _ stop: Double, count: Int, endpoint: Bool) -> [Double] {
        guard count > 0 else { return [] }
        let divisions = endpoint ? count - 1 : count
        guard divisions > 0 else { return [start] }
        let step = (stop - start) / Double(divisions)
        var values = (0..<count).map { start + Double($0) * step }
        if endpoint { values[count - 1] = stop }
        return values
    }
}
