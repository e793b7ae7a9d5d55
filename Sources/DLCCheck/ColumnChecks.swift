import DLCData
import DLCDiagnostics
import DLCSpec

/// The checker's reading of a CSV source's cells: column kinds, categories and missing cells.
extension DataChecks {
    /// The most values a one-hot column may have before the checker asks for an embedding.
    public static let maximumOneHotValues = 1000

    /// The spec's `data` column rules, as the data library reads them.
    public static func columnTypes(_ data: DataSpec?) -> ColumnTypes {
        guard let data else { return .numbersOnly }
        var declared: [String: ColumnTypes.Kind] = [:]
        for column in data.columns {
            switch column.kind {
            case .number(let missing, let indicator):
                declared[column.name.value] = .number(missing: missing.flatMap { MissingPolicy(rawValue: $0.rawValue) }, indicator: indicator)
            case .category(let embedding):
                declared[column.name.value] = .category(embedding: embedding?.value)
            }
        }
        return ColumnTypes(
            declared: declared,
            missing: data.missing.flatMap { MissingPolicy(rawValue: $0.value.rawValue) } ?? .error,
            missingValues: data.missingValues?.value ?? ColumnTypes.defaultMissingValues,
            missingIndicator: data.missingIndicator?.value ?? false,
            dropsMissingTarget: data.dropsMissingTarget)
    }

    /// A CSV source read as a table, or nil after reporting why it cannot be.
    mutating func table(of source: DataSourceSpec, option: String, data: DataSpec, seed: UInt64) -> RawTable? {
        let description = Self.description(of: source)
        guard case .csv(_, let target, _) = description else { return nil }
        do {
            return try DatasetLoader.loadTable(description, baseDirectory: baseDirectory, task: target.count == 1 ? .classification : .regression,
                                               seed: seed, columns: Self.columnTypes(data), collectsProblems: true)
        } catch {
            diagnostics.append(diagnostic(for: error, source: source, option: option))
            return nil
        }
    }

    /// The problems of a table's columns: text where numbers belong, missing cells nothing fills,
    /// `columns` entries naming no feature column.
    mutating func checkColumns(_ table: RawTable, source: DataSourceSpec, data: DataSpec) {
        guard case .csv(let file, let target, _) = source else { return }
        let declared = Dictionary(data.columns.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        let types = Self.columnTypes(data)
        for column in table.columns {
            let place = "`\(table.path):\(column.text?.first.description ?? "")`"
            if let text = column.text {
                let samples = text.samples.map { "`\($0)`" }.joined(separator: ", ")
                let count = text.count == 1 ? "1 cell" : "\(text.count) cells"
                if let entry = declared[column.name] {
                    diagnostics.append(.error("text-in-number-column", "column `\(column.name)` is declared `number`, but \(count) hold text (\(samples)), the first at \(place)",
                                              at: entry.kindRange, help: ["declare it `category`, or fix the data"]))
                } else {
                    diagnostics.append(.error("undeclared-text-column", "column `\(column.name)` holds text (\(samples)), the first at \(place); it is not declared, so it must be numbers",
                                              at: file.range, help: ["add `columns: {\(Self.yamlKey(column.name)): category}` under `data`, or leave the column out with `features:`"]))
                }
            }
            if case .number = column.kind, column.missingCount > 0, let first = column.firstMissing {
                let policy: MissingPolicy
                if case .number(let own?, _)? = types.declared[column.name] { policy = own } else { policy = types.missing }
                if policy == .error {
                    let count = column.missingCount == 1 ? "a missing cell" : "\(column.missingCount) missing cells"
                    diagnostics.append(.error("missing-cells", "column `\(column.name)` has \(count), the first at `\(table.path):\(first)`",
                                              at: data.missing?.range ?? declared[column.name]?.kindRange ?? file.range,
                                              help: ["fill them with `missing: mean` (or `median`, `zero`) under `data`, or give the column its own `{number: {missing: median}}`"]))
                }
            }
        }
        let featureNames = table.columns.map(\.name)
        for entry in data.columns where !featureNames.contains(entry.name.value) {
            if target.contains(where: { $0.value == entry.name.value }) {
                diagnostics.append(.error("unknown-column", "`\(entry.name.value)` is the target, not a feature column; `columns` types features only",
                                          at: entry.name.range, help: ["remove it from `columns`; a classification target's labels may be text"]))
            } else {
                let help = Suggestion.didYouMean(entry.name.value, among: featureNames)
                    ?? "the feature columns are " + featureNames.prefix(12).map { "`\($0)`" }.joined(separator: ", ") + (featureNames.count > 12 ? ", ..." : "")
                diagnostics.append(.error("unknown-column", "`columns` names `\(entry.name.value)`, but `\(table.path)` has no such feature column",
                                          at: entry.name.range, help: [help]))
            }
        }
    }

    /// The problems of the fitted encoding: a one-hot column with too many values.
    mutating func checkEncoding(_ encoding: FeatureEncoding, data: DataSpec) {
        for column in encoding.columns {
            guard case .oneHot(let values, _) = column.kind, values.count > Self.maximumOneHotValues,
                  let entry = data.columns.first(where: { $0.name.value == column.name }) else { continue }
            let width = min(64, max(4, Int(Double(values.count).squareRoot().rounded())))
            diagnostics.append(.error("too-many-categories", "column `\(column.name)` has \(values.count) values in the training split; one-hot would make \(values.count) features",
                                      at: entry.kindRange, help: ["learn an embedding instead: `\(Self.yamlKey(column.name)): {category: {embedding: \(width)}}`"]))
        }
    }

    /// A column name as a YAML key: quoted when it is not a plain word.
    static func yamlKey(_ name: String) -> String {
        let plain = name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        return plain && !name.isEmpty ? name : "\"" + name.map { $0 == "\"" ? "\\\"" : String($0) }.joined() + "\""
    }
}
