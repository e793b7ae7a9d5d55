import DLCData
import DLCSpec
import Foundation

/// One hyperparameter's value in a sweep point, as the text `--set` receives.
public struct SweepValue: Sendable, Hashable, Codable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// One trial of a sweep: its index, its values and its training seed.
public struct SweepTrial: Sendable, Hashable, Codable {
    public var index: Int
    public var values: [SweepValue]
    public var seed: UInt64
}

/// Expands a sweep into trials, deterministically for a seed.
public enum SweepPlan {
    /// Grid: every combination, the last hyperparameter varying fastest. Random and halving:
    /// `trials` points, each drawn from its own seeded stream, so trial i is the same whatever the count.
    public static func trials(_ sweep: SweepSpec, seed: UInt64) -> [SweepTrial] {
        let points: [[SweepValue]]
        switch sweep.strategy {
        case .grid:
            points = product(sweep.dimensions.map { dimension in
                guard case .list(let values) = dimension.domain else { return [] }
                return values.map { SweepValue(name: dimension.name, text: $0.value) }
            })
        case .random, .halving:
            points = (0..<(sweep.trials ?? 1)).map { index in
                var generator = SeededRandom(seed: seed, stream: 50_000 + UInt64(index))
                return sweep.dimensions.map { SweepValue(name: $0.name, text: sample($0.domain, &generator)) }
            }
        }
        return points.enumerated().map { index, values in
            var generator = SeededRandom(seed: seed, stream: 90_000 + UInt64(index))
            return SweepTrial(index: index, values: values, seed: generator.next() % (1 << 31))
        }
    }

    /// The points `dlc check` tries before anything trains: every grid point; for sampled sweeps,
    /// every combination of each range's two ends and each list's values (at most `limit`).
    public static func checkPoints(_ sweep: SweepSpec, limit: Int = 512) -> [[SweepValue]] {
        let axes = sweep.dimensions.map { dimension -> [SweepValue] in
            switch dimension.domain {
            case .list(let values):
                return values.map { SweepValue(name: dimension.name, text: $0.value) }
            case .range(let minimum, let maximum, _, let integer):
                return [minimum, maximum].map { SweepValue(name: dimension.name, text: format($0, integer: integer)) }
            }
        }
        return Array(product(axes).prefix(limit))
    }

    /// Every combination of one value from each axis, the last axis varying fastest.
    static func product(_ axes: [[SweepValue]]) -> [[SweepValue]] {
        axes.reduce([[]]) { partial, axis in partial.flatMap { prefix in axis.map { prefix + [$0] } } }
    }

    static func sample(_ domain: SweepSpec.Domain, _ generator: inout SeededRandom) -> String {
        switch domain {
        case .list(let values):
            return values[Int(generator.next() % UInt64(values.count))].value
        case .range(let minimum, let maximum, let log, let integer):
            let u = generator.nextUnitDouble()
            var value = log ? (minimum.logarithm + u * (maximum.logarithm - minimum.logarithm)).exponential
                            : minimum + u * (maximum - minimum)
            if integer { value = min(max(value.rounded(), minimum.rounded(.up)), maximum.rounded(.down)) }
            return format(value, integer: integer)
        }
    }

    /// A value as a spec would write it: `16`, `0.0031623`.
    static func format(_ value: Double, integer: Bool) -> String {
        if integer { return String(Int(value.rounded())) }
        return String(Float(value))
    }
}

extension Double {
    fileprivate var logarithm: Double { Foundation.log(self) }
    fileprivate var exponential: Double { Foundation.exp(self) }
}
