import DLCDiagnostics
import Testing

struct SuggestionTests {
    @Test(arguments: [
        ("activaton", "activation"), ("rellu", "relu"), ("dens", "dense"), ("crossentropy", "cross_entropy"),
        ("adamm", "adam"), ("Dense", "dense"), ("batch-size", "batch_size"), ("lable", "label"), ("lerning_rate", "learning_rate"),
    ])
    func closeNamesAreSuggested(_ typo: String, _ expected: String) {
        let names = ["activation", "relu", "dense", "cross_entropy", "adam", "adamw", "batch_size", "label", "learning_rate", "units"]
        #expect(Suggestion.closest(to: typo, among: names) == expected)
    }

    @Test func distantNamesAreNotSuggested() {
        #expect(Suggestion.closest(to: "banana", among: ["relu", "dense", "sigmoid"]) == nil)
        #expect(Suggestion.closest(to: "x", among: ["units"]) == nil)
        #expect(Suggestion.didYouMean("rleu", among: ["relu"]) == "did you mean `relu`?")
    }

    @Test func distanceCountsSwapsAsOneEdit() {
        #expect(Suggestion.distance("relu", "rleu") == 1)
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
    }
}
