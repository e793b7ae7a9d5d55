import Foundation

/// How a text column's cells become tokens, and tokens ids: the `{text: {...}}` column type.
///
/// The text is lowercased (when asked), then put in Unicode normalization form C, so `é` typed
/// as one scalar or as `e` and a combining accent is one token. `characters` makes every Unicode
/// scalar a token; `words` makes a token of every run of scalars that are neither whitespace nor
/// punctuation (the separators themselves are dropped).
public struct TextTokenizer: Sendable, Hashable, Codable {
    public enum Tokens: String, Sendable, Hashable, Codable, CaseIterable {
        case characters, words
    }

    /// Id 0 pads a text shorter than the length; it is never a token.
    public static let paddingID = 0
    /// Id 1 is every token the vocabulary lacks.
    public static let unknownID = 1
    /// The first token's id.
    public static let firstTokenID = 2

    public var tokens: Tokens
    public var lowercase: Bool

    public init(tokens: Tokens, lowercase: Bool) {
        self.tokens = tokens
        self.lowercase = lowercase
    }

    /// The first `limit` tokens of `text`.
    public func tokenize(_ text: String, limit: Int = .max) -> [String] {
        guard limit > 0, !text.isEmpty else { return [] }
        let normalized = (lowercase ? text.lowercased() : text).precomposedStringWithCanonicalMapping
        var result: [String] = []
        switch tokens {
        case .characters:
            for scalar in normalized.unicodeScalars {
                result.append(String(scalar))
                if result.count == limit { break }
            }
        case .words:
            var word = String.UnicodeScalarView()
            for scalar in normalized.unicodeScalars {
                if Self.separates(scalar) {
                    if !word.isEmpty {
                        result.append(String(word))
                        word = String.UnicodeScalarView()
                        if result.count == limit { return result }
                    }
                } else {
                    word.append(scalar)
                }
            }
            if !word.isEmpty, result.count < limit { result.append(String(word)) }
        }
        return result
    }

    /// Whitespace and punctuation (general categories Pc, Pd, Ps, Pe, Pi, Pf, Po) end a word.
    static func separates(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The vocabulary of `texts`, each counted `counts[i]` times: the tokens of the first `length`
    /// of each text, most frequent first, ties in the order of their Unicode scalars (so it does
    /// not depend on the rows' order); at most `limit - 2` of them, ids 0 and 1 being taken.
    public func vocabulary(of texts: [String], counts: [Int], length: Int, limit: Int?) -> [String] {
        var frequency: [String: Int] = [:]
        for (text, count) in zip(texts, counts) where count > 0 {
            for token in tokenize(text, limit: length) { frequency[token, default: 0] += count }
        }
        let ordered = frequency.map { (token: $0.key, scalars: $0.key.unicodeScalars.map(\.value), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.scalars.lexicographicallyPrecedes($1.scalars) }
        let kept = limit.map { max($0 - Self.firstTokenID, 0) } ?? ordered.count
        return ordered.prefix(kept).map(\.token)
    }

    /// The ids of `text`, `length` of them: its tokens' (1 for one the vocabulary lacks), then 0s.
    public func ids(of text: String, idOf: [String: Int], length: Int) -> [Int] {
        var ids = [Int](repeating: Self.paddingID, count: length)
        for (position, token) in tokenize(text, limit: length).enumerated() { ids[position] = idOf[token] ?? Self.unknownID }
        return ids
    }
}
