@testable import DLCRuntime
import Foundation
import Testing

/// Precision, recall, F1, ROC AUC and the confusion matrix against scikit-learn
/// (`Reference/classification_metrics.py`, values in `classification_metrics.json`).
struct ClassificationMetricsTests {
    struct Case: Decodable {
        var labels: [Float]
        var scores: [Float]?
        var logits: [Float]?
        var precision: Double
        var recall: Double
        var f1: Double
        var auc: Double?
        var confusion: [[Int]]
    }

    struct Reference: Decodable {
        var binary: Case
        var three: Case
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/classification_metrics.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test func twoClassesOfProbabilitiesMatchScikitLearn() throws {
        let binary = try Self.reference().binary
        let scores = try #require(binary.scores)
        var metrics = ClassificationMetrics(classes: 2, keepsScores: true)
        metrics.add(scores, labels: binary.labels, rows: scores.count, columns: 1, threshold: 0.5)
        #expect(metrics.counts == binary.confusion)
        #expect(abs(metrics.precision - binary.precision) < 1e-12)
        #expect(abs(metrics.recall - binary.recall) < 1e-12)
        #expect(abs(metrics.f1 - binary.f1) < 1e-12)
        #expect(abs(metrics.auc - (binary.auc ?? 0)) < 1e-12)
    }

    @Test func threeClassesAreMacroAveragedLikeScikitLearn() throws {
        let three = try Self.reference().three
        let logits = try #require(three.logits)
        var metrics = ClassificationMetrics(classes: 3, keepsScores: false)
        // In two batches, as evaluation adds them.
        metrics.add(logits, labels: three.labels, rows: 4, columns: 3, threshold: 0)
        logits.withUnsafeBufferPointer { l in
            three.labels.withUnsafeBufferPointer { y in
                metrics.add(l.baseAddress! + 12, labels: y.baseAddress! + 4, rows: 5, columns: 3, threshold: 0)
            }
        }
        #expect(metrics.counts == three.confusion)
        #expect(abs(metrics.precision - three.precision) < 1e-12)
        #expect(abs(metrics.recall - three.recall) < 1e-12)
        #expect(abs(metrics.f1 - three.f1) < 1e-12)
    }

    @Test func twoSoftmaxColumnsRankByTheirDifference() {
        // p1 - p0 orders examples as p1 does.
        let outputs: [Float] = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]
        var metrics = ClassificationMetrics(classes: 2, keepsScores: true)
        metrics.add(outputs, labels: [0, 1, 1, 0], rows: 4, columns: 2, threshold: 0)
        // Positives score 0.8 and 0.4; negatives 0.1 and 0.7: 3 of 4 pairs ordered.
        #expect(metrics.auc == 0.75)
        #expect(metrics.counts == [[1, 1], [1, 1]])
    }

    @Test func anAbsentClassGivesAnAUCOfOneHalf() {
        var metrics = ClassificationMetrics(classes: 2, keepsScores: true)
        metrics.add([0.2, 0.9], labels: [1, 1], rows: 2, columns: 1, threshold: 0.5)
        #expect(metrics.auc == 0.5)
    }
}
