/// Where a spec's examples come from, as written in its `data` section.
///
/// Paths are kept exactly as the spec writes them; ``DatasetMetadataReader`` resolves relative
/// paths against the spec file's folder and reports errors with the path as written.
public enum DataSourceDescription: Sendable, Hashable {
    /// CSV with a header row; `target` is one or more column names; `features` nil = every other column.
    case csv(path: String, target: [String], features: [String]?)
    /// MNIST IDX pair, each optionally gzip-compressed (detected by the gzip magic bytes 1f 8b, not by the name).
    case idx(images: String, labels: String)
    /// A seeded synthetic set; `samples` nil = the set's ``SyntheticDataset/defaultSamples``.
    case builtin(SyntheticDataset, samples: Int?, noise: Double?)
}
