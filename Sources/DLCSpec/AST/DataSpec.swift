import DLCDiagnostics

/// `data`: the sources of the splits and the feature scaling.
public struct DataSpec: Sendable {
    public var train: Located<DataSourceSpec>?
    public var validation: Located<DataSplitSpec>?
    public var test: Located<DataSplitSpec>?
    public var normalize: Normalization
    /// `columns`: how non-number feature columns (and numbers with their own options) are encoded.
    public var columns: [ColumnSpec] = []
    /// `missing`: how number columns fill missing cells (`error` when not given).
    public var missing: Located<MissingCellPolicy>?
    /// `missing_values`: the spellings of a missing cell besides the empty one (nil: the defaults).
    public var missingValues: Located<[String]>?
    /// `missing_indicator`: a 0/1 feature per number column with missing training cells.
    public var missingIndicator: Located<Bool>?
    /// `missing_target: drop` leaves out rows whose target is missing.
    public var dropsMissingTarget = false
    /// Whether every option of `data` decoded; the checker reads cells only under rules it knows.
    public var isComplete = true
    /// The range of the `data` key.
    public var range: SourceRange
}

/// How a number column's missing cells are filled: `error`, `mean`, `median` or `zero`.
public enum MissingCellPolicy: String, Sendable, CaseIterable {
    case error, mean, median, zero
}

/// How a text column is cut into tokens: `{text: {tokens: characters, length: 16}}`.
public struct TextColumnSpec: Sendable, Hashable {
    /// `characters`: every Unicode scalar after NFC is a token; `words`: runs between whitespace and punctuation.
    public enum Tokens: String, Sendable, CaseIterable {
        case characters, words
    }

    public var tokens: Tokens
    /// The ids per example: shorter texts are padded with id 0, longer ones cut.
    public var length: Int
    /// The most ids, padding (0) and unknown (1) included; nil keeps every training token.
    public var vocabulary: Int?
    /// Whether the text is lowercased before tokenizing (default true).
    public var lowercase: Bool

    public init(tokens: Tokens, length: Int, vocabulary: Int?, lowercase: Bool) {
        self.tokens = tokens
        self.length = length
        self.vocabulary = vocabulary
        self.lowercase = lowercase
    }
}

extension DataSpec {
    /// The model inputs `from:` may name besides `input`: each declared text column, and
    /// `features` for the other feature columns (the data tells whether there are any).
    public var inputNames: Set<String> {
        let texts = columns.compactMap { column -> String? in
            if case .text = column.kind { return column.name.value }
            return nil
        }
        return texts.isEmpty ? [] : Set(texts + ["features"])
    }
}

/// One entry of `data.columns`.
public struct ColumnSpec: Sendable {
    /// What the column holds.
    public enum Kind: Sendable {
        /// `number` or `{number: {missing, missing_indicator}}`.
        case number(missing: MissingCellPolicy?, indicator: Bool?)
        /// `category` (one-hot) or `{category: {embedding: N}}`.
        case category(embedding: Located<Int>?)
        /// `{text: {tokens, length, vocabulary, lowercase}}`: token ids for sequence layers.
        case text(TextColumnSpec)
    }

    /// The column's name as the key writes it.
    public var name: Located<String>
    public var kind: Kind
    /// The range of the type (`category`, or the key of `{category: ...}`).
    public var kindRange: SourceRange

    public init(name: Located<String>, kind: Kind, kindRange: SourceRange) {
        self.name = name
        self.kind = kind
        self.kindRange = kindRange
    }
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
