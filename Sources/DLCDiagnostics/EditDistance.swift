import Foundation

/// "Did you mean" suggestions from the optimal string alignment distance (Levenshtein with swaps).
public enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    ///
    /// A candidate qualifies when its distance is at most a third of the longer name (at least 1),
    /// or when the two differ only in case, `-` versus `_`, or a missing `$`.
    public static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let normalizedWord = normalize(word)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != word {
            if normalize(candidate) == normalizedWord { return candidate }
            let distance = Suggestion.distance(word.lowercased(), candidate.lowercased())
            let limit = max(1, max(word.count, candidate.count) / 3)
            guard distance <= limit else { continue }
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// A `help:` line for the closest candidate, such as "did you mean `relu`?".
    public static func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String? {
        closest(to: word, among: candidates).map { "did you mean `\($0)`?" }
    }

    /// The optimal string alignment distance between two strings, by Unicode scalars.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }

    private static func normalize(_ name: String) -> String {
        String(name.lowercased().replacingOccurrences(of: "-", with: "_").drop { $0 == "$" })
    }
}
