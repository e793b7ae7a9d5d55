import DLCData
import Foundation
import Testing

@Suite("Text columns")
struct TextColumnsTests {
    let characters = TextTokenizer(tokens: .characters, lowercase: true)

    @Test func charactersAreUnicodeScalarsAfterLowercaseAndNFC() {
        // `é` typed as e + combining acute is one token, as is `ß`; `Ł` lowercases to `ł`.
        #expect(characters.tokenize("Cafe\u{301}") == ["c", "a", "f", "é"])
        #expect(characters.tokenize("Straße") == ["s", "t", "r", "a", "ß", "e"])
        #expect(characters.tokenize("ŁÓDŹ") == ["ł", "ó", "d", "ź"])
        #expect(TextTokenizer(tokens: .characters, lowercase: false).tokenize("Ab") == ["A", "b"])
        #expect(characters.tokenize("") == [])
        #expect(characters.tokenize("abcdef", limit: 3) == ["a", "b", "c"])
    }

    @Test func wordsSplitOnWhitespaceAndPunctuation() {
        let words = TextTokenizer(tokens: .words, lowercase: true)
        #expect(words.tokenize("Hello, world!  It's\u{00A0}fine—really (yes).") == ["hello", "world", "it", "s", "fine", "really", "yes"])
        #expect(words.tokenize("¿Qué tal?") == ["qué", "tal"])
        #expect(words.tokenize("  ...  ") == [])
        #expect(words.tokenize("one two three", limit: 2) == ["one", "two"])
    }

    @Test func vocabularyIsMostFrequentFirstWithTiesByText() {
        // b 3, a 2, c 2, d 1: the tie between a and c goes to a; counts weight each distinct text.
        let vocabulary = characters.vocabulary(of: ["ab", "cb", "d"], counts: [2, 1, 1], length: 16, limit: nil)
        #expect(vocabulary == ["b", "a", "c", "d"])
        // The order of the texts never matters.
        #expect(characters.vocabulary(of: ["d", "cb", "ab"], counts: [1, 1, 2], length: 16, limit: nil) == vocabulary)
        // `limit` counts padding and unknown: 4 ids keep 2 tokens.
        #expect(characters.vocabulary(of: ["ab", "cb", "d"], counts: [2, 1, 1], length: 16, limit: 4) == ["b", "a"])
        // Only the first `length` tokens of a text count.
        #expect(characters.vocabulary(of: ["abz"], counts: [1], length: 2, limit: nil) == ["a", "b"])
    }

    @Test func textBecomesPaddedIdsFittedOnTheTrainingRows() throws {
        let text = """
            word,label
            abba,x
            Cab,y
            ,x
            zzzzzzzz,y

            """
        let types = ColumnTypes(declared: ["word": .text(characters, length: 4, vocabulary: nil)])
        let table = try loadTable(text, columns: types)
        // Fitted on the first two rows only: b 3, a 3, c 1 -> a, b, c (ids 2, 3, 4); z is unknown (1).
        let encoding = FeatureEncoding.fit(types, to: table, trainingRows: [0, 1])
        guard case .text(let vocabulary, _, let length)? = encoding.columns.first?.kind else {
            Issue.record("not a text column: \(encoding.columns)")
            return
        }
        #expect(vocabulary == ["a", "b", "c"] && length == 4)
        #expect(encoding.modelShape == [4] && encoding.onlyText?.vocabularySize == 5)
        let outcome = try encoding.encode(table)
        #expect(outcome.dataset.features == [2, 3, 3, 2,
                                             4, 2, 3, 0,
                                             0, 0, 0, 0,
                                             1, 1, 1, 1])
        #expect(outcome.unseen == ["word": 4])
        // Saved and read back (the checkpoint's JSON), it encodes the same way.
        let decoded = try JSONDecoder().decode(FeatureEncoding.self, from: JSONEncoder().encode(encoding))
        #expect(try decoded.encode(table).dataset.features == outcome.dataset.features)
    }
}
