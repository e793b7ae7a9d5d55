/// Loads a data source's examples into memory as a float32 ``Dataset``.
///
/// CSV: every feature cell must be a finite decimal number; the target is class labels or values
/// (see ``DatasetTask``). IDX: images as raw pixel values, labels as class indices over the sorted
/// distinct labels. Builtin: generated from the seed. Errors are ``DataError``s naming the file as
/// the spec wrote it, with 1-based line and column for CSV cells; nothing a file holds can crash
/// the loader or make it allocate more than 2 GiB of floats.
public enum DatasetLoader {
    /// `task` decides how a single CSV target column is read: class labels (sorted names) or numeric values (an error names file:line:column for a non-number).
    /// Builtin sets use `seed` (the spec's training seed) for their noise and sampling.
    ///
    /// Relative paths are resolved against `baseDirectory` (the spec file's folder).
    public static func load(
        _ source: DataSourceDescription, baseDirectory: String, task: DatasetTask, seed: UInt64
    ) throws(DataError) -> Dataset {
        switch source {
        case .csv(let path, let target, let features):
            return try CSVDatasetReader.read(
                path: path,
                resolvedPath: DataFile.resolve(path, baseDirectory: baseDirectory),
                target: target,
                features: features,
                task: task)
        case .idx(let images, let labels):
            return try IDXDatasetReader.read(
                images: images,
                labels: labels,
                resolvedImages: DataFile.resolve(images, baseDirectory: baseDirectory),
                resolvedLabels: DataFile.resolve(labels, baseDirectory: baseDirectory))
        case .builtin(let dataset, let samples, let noise):
            // Validates `samples` and `noise` as the checker does.
            let metadata = try DatasetMetadataReader.builtinMetadata(dataset, samples: samples, noise: noise)
            return SyntheticDatasetGenerator.generate(
                dataset, samples: metadata.exampleCount, noise: noise ?? 0, seed: seed)
        }
    }
}
