import DLCDiagnostics

/// `sweep`: which hyperparameters to search, over which values, ranked by what.
public struct SweepSpec: Sendable {
    public enum Strategy: String, Sendable {
        case grid, random, halving
    }

    /// The values one hyperparameter takes.
    public enum Domain: Sendable {
        /// Each value as written (its text is what `--set` receives).
        case list([Located<String>])
        /// Sampled between `minimum` and `maximum`, uniformly or in log space, optionally rounded.
        case range(minimum: Double, maximum: Double, log: Bool, integer: Bool)
    }

    public struct Dimension: Sendable {
        public var name: String
        public var nameRange: SourceRange
        public var domain: Domain
        /// The list or range mapping in the text.
        public var range: SourceRange
    }

    public var strategy: Strategy
    public var trials: Int?
    public var metric: Located<String>
    /// Whether a larger metric is better.
    public var maximizes: Bool
    /// Halving keeps 1 in `reduction` trials per round.
    public var reduction: Int
    public var dimensions: [Dimension]
    /// The `sweep` key.
    public var range: SourceRange
}
