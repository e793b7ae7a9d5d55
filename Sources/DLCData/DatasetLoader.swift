/// Loads a data source's examples into memory as a float32 ``Dataset``.
///
/// CSV: number cells as they are, category cells as codes and missing cells as NaN (a
/// ``RawTable``, encoded by a fitted ``FeatureEncoding``); the target is class labels or values
/// (see ``DatasetTask``). IDX: images as raw pixel values, labels as class indices over the
/// sorted distinct labels. Builtin: generated from the seed. Errors are ``DataError``s naming the
/// file as the spec wrote it, with 1-based line and column for CSV cells; nothing a file holds
/// can crash the loader or make it allocate more than 2 GiB of floats.
public enum DatasetLoader {
    /// Loads `source` as a table: a CSV source's raw cells with their columns; an IDX or builtin
    /// source's examples with no columns (nothing to encode).
    ///
    /// `task` decides how a single CSV target column is read: class labels (sorted names) or
    /// numeric values. `columns` says how CSV feature columns are read; `collectsProblems` records
    /// text in a number column (``RawColumn/text``) instead of throwing at it, for the checker.
    /// A CSV `target` of `[]` with `targetIsOptional` reads features only (`predict`).
    /// Builtin sets use `seed` (the spec's training seed). Relative paths are resolved against
    /// `baseDirectory` (the spec file's folder).
    public static func loadTable(
        _ source: DataSourceDescription, baseDirectory: String, task: DatasetTask, seed: UInt64,
        columns: ColumnTypes = .numbersOnly, collectsProblems: Bool = false
    ) throws(DataError) -> RawTable {
        switch source {
        case .csv(let path, let target, let features):
            let request = CSVDatasetReader.Request(
                path: path, resolvedPath: DataFile.resolve(path, baseDirectory: baseDirectory), target: target,
                features: features, task: task, columns: columns, collectsProblems: collectsProblems)
            return try CSVDatasetReader.read(request)
        case .idx(let images, let labels):
            let dataset = try IDXDatasetReader.read(
                images: images,
                labels: labels,
                resolvedImages: DataFile.resolve(images, baseDirectory: baseDirectory),
                resolvedLabels: DataFile.resolve(labels, baseDirectory: baseDirectory))
            return RawTable(dataset: dataset, columns: [], path: images, droppedRows: 0)
        case .builtin(let dataset, let samples, let noise):
            // Validates `samples` and `noise` as the checker does.
            let metadata = try DatasetMetadataReader.builtinMetadata(dataset, samples: samples, noise: noise)
            let generated = SyntheticDatasetGenerator.generate(dataset, samples: metadata.exampleCount, noise: noise ?? 0, seed: seed)
            return RawTable(dataset: generated, columns: [], path: "builtin: \(dataset.rawValue)", droppedRows: 0)
        }
    }

    /// Loads `source` with version 1's rules (every CSV feature a number, no cell missing) as a
    /// ready dataset.
    public static func load(
        _ source: DataSourceDescription, baseDirectory: String, task: DatasetTask, seed: UInt64
    ) throws(DataError) -> Dataset {
        let table = try loadTable(source, baseDirectory: baseDirectory, task: task, seed: seed)
        guard !table.columns.isEmpty else { return table.dataset }
        let encoding = FeatureEncoding.fit(.numbersOnly, to: table, trainingRows: [])
        return try encoding.encode(table).dataset
    }
}
