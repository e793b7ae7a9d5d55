import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// Class-weighted losses against PyTorch (`Reference/weighted_losses.py`, values in `weighted_losses.json`).
struct WeightedLossTests {
    struct Case: Decodable {
        var logits: [Float]
        var labels: [Float]
        var weights: [Float]
        var loss: Double
        var gradient: [Double]
    }

    struct Reference: Decodable {
        var softmax: Case
        var sigmoid: Case
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/weighted_losses.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    func check(_ reference: Case, kind: LossKind, columns: Int) {
        let rows = reference.labels.count
        var gradient = [Float](repeating: 0, count: rows * columns)
        var scratch = [Float](repeating: 0, count: rows * columns)
        let loss = Kernels.classWeightedLoss(kind, prediction: reference.logits, labels: reference.labels, weights: reference.weights,
                                             rows: rows, columns: columns, gradient: &gradient, scratch: &scratch)
        #expect(abs(Double(loss) - reference.loss) <= 1e-6 * max(1, abs(reference.loss)), "\(kind): loss \(loss), PyTorch \(reference.loss)")
        for (index, expected) in reference.gradient.enumerated() {
            #expect(abs(Double(gradient[index]) - expected) <= 1e-6, "\(kind): gradient[\(index)] \(gradient[index]), PyTorch \(expected)")
        }
    }

    @Test func softmaxCrossEntropyMatchesPyTorchsWeightedMean() throws {
        check(try Self.reference().softmax, kind: .softmaxCrossEntropy(labelSmoothing: 0), columns: 3)
    }

    @Test func sigmoidBinaryCrossEntropyWeightsEachExampleByItsClass() throws {
        check(try Self.reference().sigmoid, kind: .sigmoidBinaryCrossEntropy, columns: 1)
    }

    @Test func balancedWeightsAreScikitLearns() {
        // n / (classes * count): 6 examples, counts 3, 2, 1.
        #expect(Kernels.balancedClassWeights(labels: [0, 0, 0, 1, 1, 2], classes: 3) == [Float(6.0 / 9), 1, 2])
        #expect(Kernels.balancedClassWeights(labels: [0, 0], classes: 2) == [0.5, 0])
    }
}
