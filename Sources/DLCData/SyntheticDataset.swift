/// The seeded synthetic data sets a spec can name with `builtin:`.
///
/// Every set's examples are `[featureCount]` vectors; the classification sets have two classes,
/// `sine` is a regression set with one target value.
public enum SyntheticDataset: String, CaseIterable, Sendable, Hashable {
    /// The four corners of the unit square, labelled by exclusive or.
    case xor
    /// Two interleaved spirals.
    case spirals
    /// Two interleaving half circles.
    case moons
    /// A small circle inside a larger one.
    case circles
    /// `y = sin(x)` sampled on an interval (regression).
    case sine

    /// The most examples a spec may ask a synthetic set for.
    public static let maximumSamples = 10_000_000

    /// The number of examples when the spec gives no `samples`: 4 for `xor`, 200 otherwise.
    public var defaultSamples: Int {
        switch self {
        case .xor: 4
        case .spirals, .moons, .circles, .sine: 200
        }
    }

    /// The length of one example: 1 for `sine`, 2 otherwise.
    public var featureCount: Int {
        switch self {
        case .sine: 1
        case .xor, .spirals, .moons, .circles: 2
        }
    }

    /// Whether the target is a real number rather than a class (only `sine`).
    public var isRegression: Bool {
        switch self {
        case .sine: true
        case .xor, .spirals, .moons, .circles: false
        }
    }

    /// The number of classes: 2 for the classification sets, nil for the regression set `sine`.
    public var classCount: Int? {
        isRegression ? nil : 2
    }
}
