/// Reads what the checker needs to know about a data source, without loading its examples.
///
/// CSV: the header, the row count and the target column's distinct values, in one pass over the
/// file's bytes. IDX: the images file's header and size, and the labels file's values. Builtin
/// sets: computed, nothing is read.
public enum DatasetMetadataReader {
    /// Reads only what the checker needs (headers, row count, the target column's distinct values); never the whole dataset into tensors.
    /// Relative paths are resolved against `baseDirectory` (the spec file's folder).
    public static func read(_ source: DataSourceDescription, baseDirectory: String) throws(DataError) -> DatasetMetadata {
        switch source {
        case .csv(let path, let target, let features):
            return try CSVMetadataReader.read(
                path: path,
                resolvedPath: resolve(path, baseDirectory: baseDirectory),
                target: target,
                features: features)
        case .idx(let images, let labels):
            return try IDXMetadataReader.read(
                images: images,
                labels: labels,
                resolvedImages: resolve(images, baseDirectory: baseDirectory),
                resolvedLabels: resolve(labels, baseDirectory: baseDirectory))
        case .builtin(let dataset, let samples, let noise):
            return try builtinMetadata(dataset, samples: samples, noise: noise)
        }
    }

    /// The path a spec's `path` names: joined to `baseDirectory` unless it is absolute.
    public static func resolve(_ path: String, baseDirectory: String) -> String {
        DataFile.resolve(path, baseDirectory: baseDirectory)
    }

    /// A synthetic set's metadata: `[featureCount]` examples, two classes `"0"`, `"1"` or, for
    /// `sine`, one value. `samples` must be 1 through ``SyntheticDataset/maximumSamples`` and
    /// `noise` finite and not negative; errors name the set as `builtin: NAME`.
    static func builtinMetadata(_ dataset: SyntheticDataset, samples: Int?, noise: Double?) throws(DataError) -> DatasetMetadata {
        func problem(_ message: String) -> DataError {
            .malformed(path: "builtin: \(dataset.rawValue)", line: nil, column: nil, message: message)
        }
        let count = samples ?? dataset.defaultSamples
        guard count >= 1 && count <= SyntheticDataset.maximumSamples else {
            throw problem("`samples` must be from 1 to \(SyntheticDataset.maximumSamples), found \(count)")
        }
        if let noise, !(noise.isFinite && noise >= 0) {
            throw problem("`noise` must be a finite number of at least 0, found \(noise)")
        }
        return DatasetMetadata(
            exampleShape: [dataset.featureCount],
            exampleCount: count,
            featureNames: [],
            target: dataset.isRegression ? .values(width: 1) : .classes(["0", "1"]),
            targetIsNumeric: true)
    }
}
