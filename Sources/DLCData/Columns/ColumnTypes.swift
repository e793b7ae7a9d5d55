/// How a CSV source's feature columns are read and encoded: the spec's `data.columns`, `missing`,
/// `missing_values`, `missing_indicator` and `missing_target`.
///
/// A column not declared is a `number` column with the section's defaults.
public struct ColumnTypes: Sendable, Hashable {
    /// What a declared column holds.
    public enum Kind: Sendable, Hashable {
        /// Numbers; `missing` and `indicator` override the section's defaults when given.
        case number(missing: MissingPolicy?, indicator: Bool?)
        /// Categories: one-hot, or a learned embedding `embedding` wide.
        case category(embedding: Int?)
        /// Text: `length` token ids, from a vocabulary of at most `vocabulary` ids fitted on the training split.
        case text(TextTokenizer, length: Int, vocabulary: Int?)
    }

    /// The spellings of a missing cell when the spec gives none (compared ignoring case), besides the empty cell.
    public static let defaultMissingValues = ["NA", "N/A", "NaN", "null"]

    /// The declared columns by name.
    public var declared: [String: Kind]
    /// How number columns fill their missing cells unless they say otherwise.
    public var missing: MissingPolicy
    /// The spellings of a missing cell (the empty cell always is one), compared ignoring case.
    public var missingValues: [String]
    /// Whether number columns with missing training cells get a 0/1 indicator feature by default.
    public var missingIndicator: Bool
    /// Whether rows with a missing target are dropped (otherwise they are an error).
    public var dropsMissingTarget: Bool

    public init(declared: [String: Kind] = [:], missing: MissingPolicy = .error, missingValues: [String] = defaultMissingValues,
                missingIndicator: Bool = false, dropsMissingTarget: Bool = false) {
        self.declared = declared
        self.missing = missing
        self.missingValues = missingValues
        self.missingIndicator = missingIndicator
        self.dropsMissingTarget = dropsMissingTarget
    }

    /// Version 1's rules: every feature a number, no cell missing.
    public static let numbersOnly = ColumnTypes()

    /// Whether `column` is read as strings (categories and text).
    func isCategory(_ column: String) -> Bool {
        switch declared[column] {
        case .category?, .text?: return true
        case .number?, nil: return false
        }
    }

    /// The missing-cell policy of the number column `column`.
    func missingPolicy(of column: String) -> MissingPolicy {
        if case .number(let policy?, _)? = declared[column] { return policy }
        return missing
    }

    /// Whether the number column `column` gets an indicator when its training cells have holes.
    func indicates(_ column: String) -> Bool {
        if case .number(_, let indicator?)? = declared[column] { return indicator }
        return missingIndicator
    }
}

/// How a number column's missing cells are filled, from the training split's other cells.
public enum MissingPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// A missing cell is an error at its file, line and column.
    case error
    /// The mean of the column's present training cells.
    case mean
    /// Their median (the mean of the two middle values for an even count, as numpy and pandas).
    case median
    /// Zero.
    case zero
}
