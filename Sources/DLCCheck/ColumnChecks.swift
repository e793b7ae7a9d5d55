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
            case .text(let text):
                let tokenizer = TextTokenizer(tokens: text.tokens == .words ? .words : .characters, lowercase: text.lowercase)
                declared[column.name.value] = .text(tokenizer, length: text.length, vocabulary: text.vocabulary)
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
        guard case .csv(let file, let target, _) = source, data.isComplete else { return }
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
        }
        reportMissingCells(table, types: types, at: data.missing?.range ?? file.range)
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

    /// One error for the missing cells of every number column that does not fill them, with a note per column.
    private mutating func reportMissingCells(_ table: RawTable, types: ColumnTypes, at range: SourceRange) {
        var columns: [RawColumn] = []
        for column in table.columns {
            guard case .number = column.kind, column.missingCount > 0 else { continue }
            var policy = types.missing
            if case .number(let own?, _)? = types.declared[column.name] { policy = own }
            if policy == .error { columns.append(column) }
        }
        guard let first = columns.first, let location = first.firstMissing else { return }
        let total = columns.reduce(0) { $0 + $1.missingCount }
        let names = columns.prefix(4).map { "`\($0.name)`" }.joined(separator: ", ") + (columns.count > 4 ? " and \(columns.count - 4) more" : "")
        let subject = columns.count == 1 ? "column \(names) has" : "columns \(names) have"
        let notes = columns.count == 1 ? [] : columns.prefix(8).map { column in
            DiagnosticNote("`\(column.name)`: \(column.missingCount) missing, the first at `\(table.path):\(column.firstMissing?.description ?? "?")`")
        }
        diagnostics.append(.error("missing-cells", "\(subject) \(total == 1 ? "a missing cell" : "\(total) missing cells"), the first at `\(table.path):\(location)`",
                                  at: range, help: ["fill them with `missing: mean` (or `median`, `zero`) under `data`, or give a column its own `{number: {missing: median}}`"],
                                  notes: notes))
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
