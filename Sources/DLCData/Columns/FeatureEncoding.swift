/// How a CSV source's columns become the model's features, fitted on the training split only
/// and saved in the checkpoint, so `eval` and `predict` encode new rows exactly the same way.
///
/// The features of one example are laid out as: for each column in order, a number column's
/// value (then its 0/1 missing indicator when it has one) or a one-hot column's slots (its
/// values, then a slot for a missing cell when the training split had one); then one id per
/// embedded column, which the model looks up in that column's embedding table (row 0 is a value
/// never seen in training, rows 1... the values, then a missing cell's row when there is one);
/// then each text column's `length` token ids (0 pads, 1 is a token the vocabulary lacks).
public struct FeatureEncoding: Sendable, Hashable, Codable {
    /// How one column is encoded.
    public enum Kind: Sendable, Hashable, Codable {
        /// A number; a missing cell becomes `fill` (nil: it is an error), with an indicator feature when `indicator`.
        case number(fill: Float?, indicator: Bool)
        /// One slot per value, then one for a missing cell when `hasMissing`.
        case oneHot(values: [String], hasMissing: Bool)
        /// An id into a `dimension`-wide embedding table of `1 + values.count (+ 1 when hasMissing)` rows.
        case embedding(values: [String], hasMissing: Bool, dimension: Int)
        /// `length` token ids into `vocabulary` (id `2 + i` is `vocabulary[i]`).
        case text(vocabulary: [String], tokenizer: TextTokenizer, length: Int)
    }

    /// One encoded column.
    public struct Column: Sendable, Hashable, Codable {
        public var name: String
        public var kind: Kind

        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }

        /// The number of dense features the column gives (0 for an embedded column).
        public var denseWidth: Int {
            switch kind {
            case .number(_, let indicator): return indicator ? 2 : 1
            case .oneHot(let values, let hasMissing): return values.count + (hasMissing ? 1 : 0)
            case .embedding, .text: return 0
            }
        }
    }

    /// An embedded column's table, as the model holds it.
    public struct Embedding: Sendable, Hashable {
        /// The column's name; the table is the parameter `NAME.embedding`.
        public var column: String
        public var rows: Int
        public var dimension: Int

        public init(column: String, rows: Int, dimension: Int) {
            self.column = column
            self.rows = rows
            self.dimension = dimension
        }
    }

    /// A text column's ids, as the model reads them.
    public struct Text: Sendable, Hashable {
        /// The column's name, which is also the model input's.
        public var column: String
        /// Ids per example.
        public var length: Int
        /// The ids' range: padding, unknown and the vocabulary.
        public var vocabularySize: Int
    }

    public var columns: [Column]
    /// The spellings of a missing cell, besides the empty cell.
    public var missingValues: [String]

    public init(columns: [Column], missingValues: [String]) {
        self.columns = columns
        self.missingValues = missingValues
    }

    /// The dense features: numbers, indicators and one-hot slots.
    public var denseWidth: Int { columns.reduce(0) { $0 + $1.denseWidth } }

    /// The embedded columns' tables, in column order (their ids follow the dense features).
    public var embeddings: [Embedding] {
        columns.compactMap { column in
            guard case .embedding(let values, let hasMissing, let dimension) = column.kind else { return nil }
            return Embedding(column: column.name, rows: 1 + values.count + (hasMissing ? 1 : 0), dimension: dimension)
        }
    }

    /// The text columns, in column order (their ids come last).
    public var texts: [Text] {
        columns.compactMap { column in
            guard case .text(let vocabulary, _, let length) = column.kind else { return nil }
            return Text(column: column.name, length: length, vocabularySize: TextTokenizer.firstTokenID + vocabulary.count)
        }
    }

    /// The values one encoded example holds in the data: the dense features, one id per embedded
    /// column, then each text column's ids.
    public var dataWidth: Int { denseWidth + embeddings.count + texts.reduce(0) { $0 + $1.length } }

    /// The model's input when the data is one text column and nothing else: its `[length]` ids.
    public var onlyText: Text? {
        let texts = self.texts
        guard texts.count == 1, columns.count == 1 else { return nil }
        return texts[0]
    }

    /// The shape of one example as the model's first layers see it: `[length]` ids for one text
    /// column alone, otherwise `[modelWidth]` (the `features` input beside text columns).
    public var modelShape: [Int] { onlyText.map { [$0.length] } ?? [modelWidth] }

    /// With text columns beside other features (or several text columns), the model's inputs by
    /// name: each text column's `[length]` ids, and `features` `[modelWidth]` when there are other
    /// features; empty otherwise (the model has one input, `input`).
    public var namedInputs: [String: [Int]] {
        let texts = self.texts
        guard !texts.isEmpty, onlyText == nil else { return [:] }
        var inputs: [String: [Int]] = [:]
        for text in texts { inputs[text.column] = [text.length] }
        if modelWidth > 0 { inputs["features"] = [modelWidth] }
        return inputs
    }

    /// Where a text column's ids start in an encoded example.
    public func textOffset(of column: String) -> Int? {
        var offset = denseWidth + embeddings.count
        for text in texts {
            if text.column == column { return offset }
            offset += text.length
        }
        return nil
    }

    /// The width the model's first layer sees: the dense features and every embedding.
    public var modelWidth: Int { denseWidth + embeddings.reduce(0) { $0 + $1.dimension } }

    /// Whether the encoded features are the raw cells (only number columns without indicators).
    public var isIdentity: Bool {
        columns.allSatisfy { if case .number(_, false) = $0.kind { return true } else { return false } }
    }

    /// The name of each data feature: `COLUMN`, `COLUMN.missing`, `COLUMN=VALUE`, then `COLUMN` for each embedded id.
    public var featureNames: [String] {
        var names: [String] = []
        for column in columns {
            switch column.kind {
            case .number(_, let indicator):
                names.append(column.name)
                if indicator { names.append(column.name + ".missing") }
            case .oneHot(let values, let hasMissing):
                names += values.map { "\(column.name)=\($0)" }
                if hasMissing { names.append("\(column.name)=(missing)") }
            case .embedding, .text:
                break
            }
        }
        return names + embeddings.map(\.column) + texts.flatMap { text in (0..<text.length).map { "\(text.column)[\($0)]" } }
    }

    /// Per data feature, whether `data.normalize` scales it: numbers yes; indicators, one-hot slots and ids no.
    public var scaledFeatures: [Bool] {
        var scaled: [Bool] = []
        for column in columns {
            switch column.kind {
            case .number(_, let indicator): scaled += indicator ? [true, false] : [true]
            case .oneHot: scaled += [Bool](repeating: false, count: column.denseWidth)
            case .embedding, .text: break
            }
        }
        return scaled + [Bool](repeating: false, count: dataWidth - scaled.count)
    }

    /// How the width is made, for messages: `4 numbers + island 3 + sex 3 + sex embedding 4 = 14`.
    public var widthBreakdown: String {
        if let text = onlyText { return "\(text.column): \(text.length) token ids" }
        var parts: [String] = []
        var numbers = 0
        for column in columns {
            switch column.kind {
            case .number(_, let indicator):
                numbers += 1
                if indicator { parts.append("\(column.name) indicator 1") }
            case .oneHot: parts.append("\(column.name) \(column.denseWidth)")
            case .embedding(_, _, let dimension): parts.append("\(column.name) embedding \(dimension)")
            case .text(_, _, let length): parts.append("\(column.name) \(length) token ids")
            }
        }
        if numbers > 0 { parts.insert("\(numbers) number\(numbers == 1 ? "" : "s")", at: 0) }
        return parts.joined(separator: " + ") + " = \(modelWidth)"
    }
}
