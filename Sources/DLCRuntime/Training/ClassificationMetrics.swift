/// A classifier's confusion matrix and the metrics read from it: precision, recall and F1 (of
/// class 1 for two classes, as scikit-learn's `average="binary"`; the unweighted mean over
/// classes, `average="macro"`, for more), and the ROC AUC of two classes.
struct ClassificationMetrics {
    /// `counts[true][predicted]`.
    private(set) var counts: [[Int]]
    /// Two classes: each example's score for class 1 and whether it is class 1, for the AUC.
    private var scores: [(score: Float, positive: Bool)] = []
    private let keepsScores: Bool

    init(classes: Int, keepsScores: Bool) {
        counts = [[Int]](repeating: [Int](repeating: 0, count: max(classes, 2)), count: max(classes, 2))
        self.keepsScores = keepsScores
    }

    /// Adds `rows` predictions `[rows, columns]` (one column: a probability or logit of class 1)
    /// with their labels; `threshold` splits one column (0.5 for probabilities, 0 for logits).
    mutating func add(_ prediction: UnsafePointer<Float>, labels: UnsafePointer<Float>, rows: Int, columns: Int, threshold: Float) {
        let classes = counts.count
        for row in 0..<rows {
            let label = Int(labels[row])
            guard label >= 0 && label < classes else { continue }
            let predicted: Int
            let score: Float
            if columns == 1 {
                score = prediction[row]
                predicted = score > threshold ? 1 : 0
            } else {
                let output = prediction + row * columns
                var best = 0
                for column in 1..<columns where output[column] > output[best] { best = column }
                predicted = min(best, classes - 1)
                score = columns == 2 ? output[1] - output[0] : output[min(1, columns - 1)]
            }
            counts[label][predicted] += 1
            if keepsScores { scores.append((score, label == 1)) }
        }
    }

    /// The AUC's scores as bytes (a score and a 0/1 label, two little-endian floats each), to
    /// gather every rank's.
    var scoreBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scores.count * 8)
        for (score, positive) in scores {
            withUnsafeBytes(of: score.bitPattern.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: (positive ? Float(1) : 0).bitPattern.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    /// Takes every rank's scores (`scoreBytes`, concatenated) in place of this rank's.
    mutating func replaceScores(_ bytes: [UInt8]) {
        guard keepsScores else { return }
        scores = stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { start in
            func float(_ at: Int) -> Float {
                Float(bitPattern: UInt32(littleEndian: bytes[at..<(at + 4)].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) }))
            }
            return (float(start), float(start + 4) > 0)
        }
    }

    /// Takes the confusion matrix summed over every rank in place of this rank's.
    mutating func replaceCounts(_ summed: [[Int]]) {
        if summed.count == counts.count { counts = summed }
    }

    var precision: Double { average { truePositives, predicted, _ in predicted > 0 ? Double(truePositives) / Double(predicted) : 0 } }
    var recall: Double { average { truePositives, _, actual in actual > 0 ? Double(truePositives) / Double(actual) : 0 } }
    var f1: Double {
        average { truePositives, predicted, actual in
            predicted + actual > 0 ? 2 * Double(truePositives) / Double(predicted + actual) : 0
        }
    }

    /// The area under the ROC curve: the chance a random class-1 example scores above a random
    /// class-0 one (ties count half), from the ranks (Mann-Whitney U); 0.5 when a class is absent.
    var auc: Double {
        let positives = scores.filter(\.positive).count, negatives = scores.count - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        let sorted = scores.sorted { $0.score < $1.score }
        var rankSum = 0.0
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count && sorted[end + 1].score == sorted[start].score { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for index in start...end where sorted[index].positive { rankSum += rank }
            start = end + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// `metric(truePositives, predictedCount, actualCount)` of class 1 for two classes, else the mean over classes.
    private func average(_ metric: (Int, Int, Int) -> Double) -> Double {
        let classes = counts.count
        func of(_ c: Int) -> Double {
            let predicted = (0..<classes).reduce(0) { $0 + counts[$1][c] }
            return metric(counts[c][c], predicted, counts[c].reduce(0, +))
        }
        if classes == 2 { return of(1) }
        return (0..<classes).reduce(0.0) { $0 + of($1) } / Double(classes)
    }
}
