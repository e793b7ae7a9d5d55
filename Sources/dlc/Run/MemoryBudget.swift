import DLCCompile
import DLCGraph
import DLCRuntime
import Foundation

/// The memory the plans of a command will take (see `MemoryFit`), and the machine's.
enum MemoryBudget {
    /// Training on `trainingExamples` at the spec's batch size (none for `eval`, `predict`), and
    /// evaluating splits of `evaluationCounts` examples (none: a full batch) at `evaluationBatch`
    /// (none for `bench`). The trainer keeps every plan it made, one per batch size, so a smaller
    /// last batch (of training or of a split's evaluation) adds its own arena. What lowering
    /// `batch_size` shrinks: the training plans, and the evaluation plans too when there is no
    /// training or with `evaluationScales` (evaluating at the training batch size).
    static func fit(_ program: TrainingProgram, trainingExamples: Int?, evaluationBatch: Int?,
                    evaluationCounts: [Int] = [], evaluationScales: Bool = false) -> MemoryFit {
        let float = MemoryLayout<Float>.stride
        func arena(_ make: (Int) -> (Graph, BufferPlan), _ size: Int) -> Int { make(size).1.arenaSize * float }
        // Arenas that shrink when the batch does (a last batch is at most a full one), and those that do not.
        var scaling = 0, fixed = 0, batchSize = 0
        if let examples = trainingExamples, examples > 0 {
            batchSize = min(program.configuration.batchSize, examples)
            scaling += arena(program.makeTrainingPlan, batchSize)
            if examples % batchSize != 0 { scaling += arena(program.makeTrainingPlan, examples % batchSize) }
        }
        if let batch = evaluationBatch, batch > 0 {
            // `Trainer.evaluate`'s batches: min(batch, count) each, and the remainder.
            var sizes: Set<Int> = evaluationCounts.isEmpty ? [batch] : []
            for count in evaluationCounts where count > 0 {
                let size = min(batch, count)
                sizes.insert(size)
                if count % size != 0 { sizes.insert(count % size) }
            }
            let bytes = sizes.reduce(0) { $0 + arena(program.makeEvaluationPlan, $1) }
            if batchSize == 0 {
                batchSize = sizes.max() ?? 0
                scaling += bytes
            } else if evaluationScales {
                scaling += bytes
            } else {
                fixed += bytes
            }
        }
        let parameters = program.parameters.reduce(0) { $0 + $1.elementCount }
        let trainable = program.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.elementCount }
        let training = trainingExamples != nil
        let slots = training ? Optimizer.stateNames(for: program.configuration.optimizer).count : 0
        // Early stopping that restores the best epoch keeps a copy of the parameters.
        let copies = training && program.configuration.earlyStopping?.restoreBest == true ? 2 : 1
        let parameterBytes = (parameters * copies + trainable * slots) * float
        return MemoryFit(batchArenaBytes: scaling, batchSize: batchSize, fixedBytes: parameterBytes + fixed, parameterBytes: parameterBytes)
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
