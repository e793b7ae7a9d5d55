import DLCCheck
import DLCDiagnostics

/// What a command's compiled plans will hold in memory, against the machine: checked before
/// anything large is allocated, so a batch size too large for the machine is an error at
/// `batch_size` with the size that fits, not an allocation failure mid-run.
public struct MemoryFit: Sendable {
    /// Bytes of the arena of the plan at `batchSize` (every activation, gradient and scratch
    /// buffer of a step), which grows about linearly with the batch.
    public var batchArenaBytes: Int
    /// The batch size that arena is planned for.
    public var batchSize: Int
    /// Bytes that do not shrink with that batch: parameters and optimizer state, and the arenas of
    /// the other plans kept alongside (evaluation, a smaller last batch).
    public var fixedBytes: Int
    /// The parameters' and optimizer state's part of `fixedBytes`, for the messages.
    public var parameterBytes: Int

    public init(batchArenaBytes: Int, batchSize: Int, fixedBytes: Int, parameterBytes: Int) {
        self.batchArenaBytes = batchArenaBytes
        self.batchSize = batchSize
        self.fixedBytes = fixedBytes
        self.parameterBytes = parameterBytes
    }

    public var totalBytes: Int { batchArenaBytes + fixedBytes }

    /// An error when the plans need more than the machine's `physical` memory less the loaded
    /// data's `dataBytes`, a warning when more than is `available` now (Linux's `MemAvailable`,
    /// which already counts loaded data out), `nil` when they fit. The help names the largest
    /// batch that fits in what is free.
    public func diagnostic(at range: SourceRange?, dataBytes: Int, physical: Int, available: Int?) -> Diagnostic? {
        let room = physical - dataBytes
        let free = available.map { min(room, $0) } ?? room
        let needs = "the model needs \(MemoryEstimate.format(bytes: totalBytes)) of memory at batch size \(batchSize) "
            + "(buffers \(MemoryEstimate.format(bytes: totalBytes - parameterBytes)), parameters and optimizer state "
            + "\(MemoryEstimate.format(bytes: parameterBytes)))"
        if totalBytes > room {
            return Diagnostic.error("memory", needs + ", more than this machine's \(MemoryEstimate.format(bytes: physical))"
                                        + " less the data's \(MemoryEstimate.format(bytes: dataBytes))",
                                    at: range, help: [help(free: free)])
        }
        if totalBytes > free {
            return Diagnostic.warning("memory", needs + ", more than the \(MemoryEstimate.format(bytes: max(free, 0)))"
                                          + " free now; it may swap or be stopped",
                                      at: range, help: [help(free: free)])
        }
        return nil
    }

    /// The largest batch whose arena fits in `free` bytes beside the fixed costs; 0 when not
    /// even one example does.
    public func largestBatch(free: Int) -> Int {
        let perExample = Double(batchArenaBytes) / Double(max(batchSize, 1))
        let left = Double(free - fixedBytes)
        guard perExample > 0 else { return left >= 0 ? batchSize : 0 }
        return Int(min(Double(Int.max / 2), max(0, (left / perExample).rounded(.down))))
    }

    private func help(free: Int) -> String {
        let fits = largestBatch(free: free)
        if fits >= 1 && batchSize > 1 { return "lower `batch_size`: about \(min(fits, batchSize - 1)) fits" }
        if parameterBytes > free {
            return "the parameters and optimizer state alone (\(MemoryEstimate.format(bytes: parameterBytes))) do not fit: "
                + "use fewer or smaller layers"
        }
        return "not even a batch of 1 fits: use smaller layers, or a machine with more memory"
    }
}
