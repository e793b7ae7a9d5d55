import DLCData
import Foundation

/// A CSV file through what `check`, `run`, `eval` and `predict` do with one: the header scan,
/// the typed reading of every cell (numbers, categories, missing cells, quotes), the fit of an
/// encoding on some rows and the encoding of all of them, and normalization. The first byte
/// picks the column rules; the rest is the file. Columns are found by name: `y` is the target,
/// `c` and `k` are categories (`k` embedded), `n` a number with its own missing rule; the
/// dictionary holds those names.
enum CSVTarget {
    static func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
        guard size >= 1 else { return }
        let rules = data[0]
        _ = FuzzSupport.write(UnsafeBufferPointer(start: data + 1, count: size - 1), named: "fuzz.csv")
        let features: [String]? = rules & 0x80 != 0 ? ["c", "n", "x"] : nil
        let targets = rules & 0x40 != 0 ? ["y", "z"] : ["y"]
        let task: DatasetTask = rules & 0x01 == 0 ? .classification : .regression
        let missing = MissingPolicy.allCases[Int(rules >> 1) % MissingPolicy.allCases.count]
        let types = ColumnTypes(
            declared: [
                "c": .category(embedding: nil), "k": .category(embedding: 3),
                "n": .number(missing: rules & 0x08 != 0 ? .median : nil, indicator: rules & 0x10 != 0),
            ],
            missing: missing,
            missingValues: rules & 0x20 != 0 ? ColumnTypes.defaultMissingValues : ["?", "-"],
            missingIndicator: rules & 0x04 != 0,
            dropsMissingTarget: rules & 0x02 != 0)
        let source = DataSourceDescription.csv(path: "fuzz.csv", target: targets, features: features)

        _ = try? DatasetMetadataReader.read(source, baseDirectory: FuzzSupport.scratch)
        for collectsProblems in [true, false] {
            guard let table = try? DatasetLoader.loadTable(
                source, baseDirectory: FuzzSupport.scratch, task: task, seed: 7, columns: types,
                collectsProblems: collectsProblems) else { continue }
            // Fit on every other row (a training split), encode every row, normalize.
            let rows = Array(stride(from: 0, to: table.dataset.count, by: 2))
            let encoding = FeatureEncoding.fit(types, to: table, trainingRows: rows)
            guard var encoded = try? encoding.encode(table).dataset else { continue }
            for mode in [Normalizer.Mode.standard, .minmax] {
                let normalizer = Normalizer.fit(mode, to: encoded, scaled: encoding.scaledFeatures)
                normalizer.apply(to: &encoded)
            }
            // The encoding as a checkpoint saves and reads it.
            if let saved = try? JSONEncoder().encode(encoding) {
                _ = try? JSONDecoder().decode(FeatureEncoding.self, from: saved)
            }
        }
    }
}
