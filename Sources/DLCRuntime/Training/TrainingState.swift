import DLCData
import DLCGraph
import Foundation

/// Everything a trainer needs to go on after its last finished epoch as if it had never stopped:
/// the parameters, the optimizer's moments and step count, early stopping's state (with the best
/// epoch's weights) and the epochs' reports.
///
/// The learning-rate schedule, the shuffling and dropout need nothing more saved: they are pure
/// functions of the seed and the epoch's number or the step count (`LearningRateSchedule.rate`,
/// `BatchSampler.batches(epoch:)`, `Kernels.dropoutMask`).
public struct TrainingState: Sendable {
    /// Epochs finished (and reported); training goes on at this 0-based epoch.
    public var epochsCompleted: Int
    /// Whether early stopping ended training after the last epoch (nothing is left to train).
    public var stoppedEarly: Bool
    /// Calls to the optimizer's `step` so far (also the step that keys dropout's masks).
    public var optimizerSteps: Int
    public var earlyStopping: EarlyStopping.State
    public var reports: [EpochReport]
    /// Seconds spent in `fit` so far, over every session of this run.
    public var seconds: Double
    /// Every parameter's values, in `ParameterStore.infos` order.
    public var parameters: [[Float]]
    /// The optimizer's state tensors: `optimizer[s][i]` is state `s` of trainable parameter `i`.
    public var optimizer: [[[Float]]]
    /// The best epoch's weights, when early stopping restores them.
    public var bestWeights: [[Float]]?
}

extension TrainingState {
    /// The safetensors tensor names: `parameter/NAME`, `optimizer/STATE/NAME`, `best/NAME`.
    public func tensors(infos: [ParameterInfo], stateNames: [String]) -> [SafetensorsTensor] {
        var tensors: [SafetensorsTensor] = []
        for (info, values) in zip(infos, parameters) {
            tensors.append(SafetensorsTensor(name: "parameter/\(info.name)", shape: info.shape, values: values))
        }
        let trainable = infos.filter(\.isTrainable)
        for (name, perParameter) in zip(stateNames, optimizer) {
            for (info, values) in zip(trainable, perParameter) {
                tensors.append(SafetensorsTensor(name: "optimizer/\(name)/\(info.name)", shape: info.shape, values: values))
            }
        }
        for (info, values) in zip(infos, bestWeights ?? []) {
            tensors.append(SafetensorsTensor(name: "best/\(info.name)", shape: info.shape, values: values))
        }
        return tensors
    }

    /// The counters and reports as JSON, for the file's metadata (tensors go beside it).
    public func metadataJSON() throws -> String {
        let record = Record(epochsCompleted: epochsCompleted, stoppedEarly: stoppedEarly, optimizerSteps: optimizerSteps,
                            earlyStopping: earlyStopping, reports: reports, seconds: seconds, hasBestWeights: bestWeights != nil)
        return String(decoding: try Self.encoder.encode(record), as: UTF8.self)
    }

    /// Reads a state back from its metadata JSON and tensors; an error names what is missing or
    /// does not fit the model.
    public static func read(metadataJSON: String, tensors: [SafetensorsTensor], infos: [ParameterInfo],
                            stateNames: [String]) throws(TrainingStateError) -> TrainingState {
        let record: Record
        do { record = try decoder.decode(Record.self, from: Data(metadataJSON.utf8)) } catch {
            throw .malformed("its metadata does not read (\(error))")
        }
        var byName: [String: SafetensorsTensor] = [:]
        for tensor in tensors { byName[tensor.name] = tensor }
        func values(_ name: String, _ info: ParameterInfo) throws(TrainingStateError) -> [Float] {
            guard let tensor = byName[name] else { throw .malformed("it has no tensor `\(name)`") }
            guard tensor.shape == info.shape else {
                throw .mismatch("`\(info.name)` is \(tensor.shape) in the saved state but \(info.shape) in this model")
            }
            return tensor.values
        }
        var parameters: [[Float]] = []
        for info in infos { parameters.append(try values("parameter/\(info.name)", info)) }
        var optimizer: [[[Float]]] = []
        for name in stateNames {
            var perParameter: [[Float]] = []
            for info in infos where info.isTrainable { perParameter.append(try values("optimizer/\(name)/\(info.name)", info)) }
            optimizer.append(perParameter)
        }
        var best: [[Float]]?
        if record.hasBestWeights {
            var weights: [[Float]] = []
            for info in infos { weights.append(try values("best/\(info.name)", info)) }
            best = weights
        }
        guard record.epochsCompleted >= 0, record.reports.count == record.epochsCompleted, record.optimizerSteps >= 0 else {
            throw .malformed("it counts \(record.epochsCompleted) epochs but holds \(record.reports.count) epochs' metrics")
        }
        return TrainingState(epochsCompleted: record.epochsCompleted, stoppedEarly: record.stoppedEarly,
                             optimizerSteps: record.optimizerSteps, earlyStopping: record.earlyStopping,
                             reports: record.reports, seconds: record.seconds, parameters: parameters, optimizer: optimizer,
                             bestWeights: best)
    }

    /// Exact round trips: Swift writes the shortest digits that read back as the same double.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()

    /// The JSON form of the counters.
    private struct Record: Codable {
        var epochsCompleted: Int
        var stoppedEarly: Bool
        var optimizerSteps: Int
        var earlyStopping: EarlyStopping.State
        var reports: [EpochReport]
        var seconds: Double
        var hasBestWeights: Bool
    }
}

/// Why a saved training state cannot be used.
public enum TrainingStateError: Error, Sendable, CustomStringConvertible {
    /// The file is damaged or not a dlc training state.
    case malformed(String)
    /// The file is sound but was saved by another model.
    case mismatch(String)

    public var description: String {
        switch self {
        case .malformed(let reason): return "the saved training state is damaged: \(reason)"
        case .mismatch(let reason): return "the saved training state is another model's: \(reason)"
        }
    }
}
