import DLCCompile
import DLCRuntime
import Foundation

/// The memory the plans of a command will take (see `MemoryFit`), and the machine's.
enum MemoryBudget {
    /// Training at `trainingBatch` (none for `eval` and `predict`) plus evaluation at
    /// `evaluationBatch` (none for `bench`), with the optimizer's state when training.
    static func fit(_ program: TrainingProgram, trainingBatch: Int?, evaluationBatch: Int?) -> MemoryFit {
        var arenas = 0
        if let trainingBatch { arenas += program.makeTrainingPlan(trainingBatch).1.arenaSize }
        if let evaluationBatch { arenas += program.makeEvaluationPlan(evaluationBatch).1.arenaSize }
        let parameters = program.parameters.reduce(0) { $0 + $1.elementCount }
        let trainable = program.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.elementCount }
        let slots = trainingBatch == nil ? 0 : Optimizer.stateNames(for: program.configuration.optimizer).count
        let float = MemoryLayout<Float>.stride
        return MemoryFit(arenaBytes: arenas * float, parameterBytes: (parameters + trainable * slots) * float,
                         batchSize: max(trainingBatch ?? 0, evaluationBatch ?? 0))
    }

    /// The machine's memory.
    static var physicalBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// What Linux says is available now (`MemAvailable` in /proc/meminfo), if it says.
    static var availableBytes: Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kibibytes * 1024
    }
}
