import DLCDiagnostics

/// `data`: the sources of the splits and the feature scaling.
public struct DataSpec: Sendable {
    public var train: Located<DataSourceSpec>?
    public var validation: Located<DataSplitSpec>?
    public var test: Located<DataSplitSpec>?
    public var normalize: Normalization
    /// The range of the `data` key.
    public var range: SourceRange
}

public enum Normalization: String, Sendable, CaseIterable {
    case none, standard, minmax
}

/// A split given as its own source, or as a fraction of the training examples.
public enum DataSplitSpec: Sendable {
    case fraction(Double)
    case source(DataSourceSpec)
}

/// Where examples come from; every path keeps its range for "file not found" errors.
public enum DataSourceSpec: Sendable {
    case csv(path: Located<String>, target: [Located<String>], features: [Located<String>]?)
    case idx(images: Located<String>, labels: Located<String>)
    case builtin(name: Located<String>, samples: Int?, noise: Double?)
}
