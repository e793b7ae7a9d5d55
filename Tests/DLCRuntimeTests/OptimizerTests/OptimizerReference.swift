import DLCGraph
import Foundation

/// The numbers `Reference/optimizers.py` recorded from PyTorch, decoded from `Reference/optimizers.json`.
struct OptimizerReference: Decodable {
    struct Configuration: Decodable {
        var kind: String
        var learningRate: Double
        var momentum: Double
        var nesterov: Bool
        var beta1: Double
        var beta2: Double
        var epsilon: Double
        var weightDecay: Double
        var rho: Double
        var centered: Bool

        /// The dlc configuration the spec compiler would produce for the same values.
        var optimizer: OptimizerConfiguration? {
            guard let kind = OptimizerConfiguration.Kind(rawValue: kind) else { return nil }
            var configuration = OptimizerConfiguration(kind: kind, learningRate: Float(learningRate))
            configuration.momentum = Float(momentum)
            configuration.nesterov = nesterov
            configuration.beta1 = Float(beta1)
            configuration.beta2 = Float(beta2)
            configuration.epsilon = Float(epsilon)
            configuration.weightDecay = Float(weightDecay)
            configuration.rho = Float(rho)
            configuration.centered = centered
            return configuration
        }
    }

    /// One optimizer run: `steps[k][i]` is parameter tensor i after step k (0-based), fed `gradients[k][i]`.
    struct OptimizerCase: Decodable {
        var name: String
        var configuration: Configuration
        var initial: [[Float]]
        var learningRates: [Double]
        var gradients: [[[Float]]]
        var steps: [[[Float]]]
        /// Final state per parameter tensor, keyed by dlc's state names.
        var state: [[String: [Float]]]
    }

    struct Schedule: Decodable {
        var kind: String
        var warmupEpochs: Int
        var stepSize: Int?
        var gamma: Double?
        var minimumLearningRate: Double?

        var configuration: ScheduleConfiguration? {
            switch kind {
            case "step":
                guard let stepSize, let gamma else { return nil }
                return ScheduleConfiguration(kind: .step(stepSize: stepSize, gamma: Float(gamma)), warmupEpochs: warmupEpochs)
            case "exponential":
                guard let gamma else { return nil }
                return ScheduleConfiguration(kind: .exponential(gamma: Float(gamma)), warmupEpochs: warmupEpochs)
            case "cosine":
                guard let minimumLearningRate else { return nil }
                return ScheduleConfiguration(kind: .cosine(minimumLearningRate: Float(minimumLearningRate)),
                                             warmupEpochs: warmupEpochs)
            default:
                return nil
            }
        }
    }

    struct ScheduleCase: Decodable {
        var name: String
        var base: Double
        var epochs: Int
        var schedule: Schedule
        var rates: [Double]
    }

    struct ClippingCase: Decodable {
        var name: String
        var maxNorm: Double
        var gradients: [[Float]]
        var norm: Double
        var clipped: [[Float]]
    }

    var torchVersion: String
    var optimizers: [OptimizerCase]
    var schedules: [ScheduleCase]
    var clipping: [ClippingCase]

    /// `Tests/DLCRuntimeTests/Reference/optimizers.json`, found from this file's path.
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Reference").appendingPathComponent("optimizers.json")

    static func load() throws -> OptimizerReference {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(OptimizerReference.self, from: Data(contentsOf: url))
    }

    /// Whether `actual` is within 1e-6 relative or 1e-7 absolute of `expected`.
    static func isClose(_ actual: Float, _ expected: Double) -> Bool {
        abs(Double(actual) - expected) <= max(1e-7, 1e-6 * abs(expected))
    }

    /// Float tensors that own their memory, for handing `UnsafeMutablePointer`s to the optimizer.
    final class TensorList {
        let pointers: [UnsafeMutablePointer<Float>]
        let counts: [Int]

        init(_ values: [[Float]]) {
            counts = values.map(\.count)
            pointers = values.map { tensor in
                let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(tensor.count, 1))
                pointer.initialize(from: tensor, count: tensor.count)
                return pointer
            }
        }

        /// Overwrites the values (same shapes as at init).
        func assign(_ values: [[Float]]) {
            for (pointer, tensor) in zip(pointers, values) {
                pointer.update(from: tensor, count: tensor.count)
            }
        }

        var values: [[Float]] {
            zip(pointers, counts).map { Array(UnsafeBufferPointer(start: $0, count: $1)) }
        }

        deinit {
            for pointer in pointers { pointer.deallocate() }
        }
    }
}
