import DLCData
import DLCDiagnostics
import DLCSpec

/// Reads the metadata of each data source and turns data errors into diagnostics at the spec's text.
public struct DataChecks {
    let baseDirectory: String
    internal(set) public var diagnostics: [Diagnostic] = []

    public init(baseDirectory: String) {
        self.baseDirectory = baseDirectory
    }

    /// The metadata of a source, or `nil` after reporting why it cannot be read.
    mutating func metadata(of source: DataSourceSpec, option: String) -> DatasetMetadata? {
        do {
            return try DatasetMetadataReader.read(Self.description(of: source), baseDirectory: baseDirectory)
        } catch {
            diagnostics.append(diagnostic(for: error, source: source, option: option))
            return nil
        }
    }

    /// The data library's description of a spec's source.
    public static func description(of source: DataSourceSpec) -> DataSourceDescription {
        switch source {
        case .csv(let path, let target, let features):
            return .csv(path: path.value, target: target.map(\.value), features: features?.map(\.value))
        case .idx(let images, let labels):
            return .idx(images: images.value, labels: labels.value)
        case .builtin(let name, let samples, let noise):
            guard let dataset = SyntheticDataset(rawValue: name.value) else {
                preconditionFailure("internal: builtin `\(name.value)` is in the vocabulary but not in DLCData")
            }
            return .builtin(dataset, samples: samples, noise: noise)
        }
    }

    /// A data error as a diagnostic at the spec text that named the file or column.
    public func diagnostic(for error: DataError, source: DataSourceSpec, option: String) -> Diagnostic {
        switch error {
        case .fileNotFound(let path):
            let at = range(ofPath: path, in: source)
            return .error("data-file-not-found", "no such file `\(path)`", at: at,
                          help: ["data paths are relative to the folder of the spec file"])
        case .unreadable(let path, let reason):
            return .error("data-file-unreadable", "cannot read `\(path)`: \(reason)", at: range(ofPath: path, in: source),
                          help: ["point `\(option)` at a data file"])
        case .missingColumn(let column, let available):
            let at = range(ofColumn: column, in: source)
            let help = Suggestion.didYouMean(column, among: available)
                ?? "the columns are " + available.prefix(12).map { "`\($0)`" }.joined(separator: ", ") + (available.count > 12 ? ", ..." : "")
            return .error("unknown-column", "the data has no column `\(column)`", at: at, help: [help])
        case .malformed(let path, let line, let column, _):
            var location = ""
            if let line { location = ":\(line)" + (column.map { ":\($0)" } ?? "") }
            return .error("malformed-data", "`\(path)\(location)`: \(error.message)", at: range(ofPath: path, in: source),
                          help: ["fix the data file, or point `\(option)` at another one"])
        }
    }

    private func range(ofPath path: String, in source: DataSourceSpec) -> SourceRange? {
        switch source {
        case .csv(let file, _, _): return file.range
        case .idx(let images, let labels): return labels.value == path && images.value != path ? labels.range : images.range
        case .builtin(let name, _, _): return name.range
        }
    }

    private func range(ofColumn column: String, in source: DataSourceSpec) -> SourceRange? {
        guard case .csv(let file, let target, let features) = source else { return nil }
        return (target + (features ?? [])).first { $0.value == column }?.range ?? file.range
    }
}
