import DLCCheck
import DLCDiagnostics

/// What a command's compiled plans will hold in memory, against the machine: checked before
/// anything large is allocated, so a batch size too large for the machine is an error at
/// `batch_size` with the size that fits, not an allocation failure mid-run.
public struct MemoryFit: Sendable {
    /// Bytes of the plans' arenas (every activation, gradient and scratch buffer of a step).
    public var arenaBytes: Int
    /// Bytes of the parameters and the optimizer's state.
    public var parameterBytes: Int
    /// The batch size of the largest plan, which the arenas grow with about linearly.
    public var batchSize: Int

    public init(arenaBytes: Int, parameterBytes: Int, batchSize: Int) {
        self.arenaBytes = arenaBytes
        self.parameterBytes = parameterBytes
        self.batchSize = batchSize
    }

    public var totalBytes: Int { arenaBytes + parameterBytes }

    /// An error when the plans need more than the machine's `physical` memory less what the data
    /// already takes, a warning when more than is `available` now (Linux's `MemAvailable`), `nil`
    /// when they fit. The help names the largest batch that fits in what is free.
    public func diagnostic(at range: SourceRange?, dataBytes: Int, physical: Int, available: Int?) -> Diagnostic? {
        let room = physical - dataBytes
        let free = available.map { min(room, $0 - dataBytes) } ?? room
        let needs = "the model needs \(MemoryEstimate.format(bytes: totalBytes)) of memory at batch size \(batchSize) "
            + "(buffers \(MemoryEstimate.format(bytes: arenaBytes)), parameters and optimizer state "
            + "\(MemoryEstimate.format(bytes: parameterBytes)))"
        if totalBytes > room {
            return Diagnostic.error("memory", needs + ", more than this machine's \(MemoryEstimate.format(bytes: physical))"
                                        + " less the data's \(MemoryEstimate.format(bytes: dataBytes))",
                                    at: range, help: [help(free: free)])
        }
        if totalBytes > free {
            return Diagnostic.warning("memory", needs + ", more than the \(MemoryEstimate.format(bytes: max(free, 0)))"
                                          + " free now besides the data; it may swap or be stopped",
                                      at: range, help: [help(free: free)])
        }
        return nil
    }

    /// The largest batch whose buffers (about linear in the batch) fit in `free` bytes beside the
    /// parameters; 0 when not even one example does.
    public func largestBatch(free: Int) -> Int {
        let perExample = Double(arenaBytes) / Double(max(batchSize, 1))
        guard perExample > 0 else { return free >= parameterBytes ? batchSize : 0 }
        return Int(min(Double(Int.max / 2), max(0, (Double(free - parameterBytes) / perExample).rounded(.down))))
    }

    private func help(free: Int) -> String {
        let fits = largestBatch(free: free)
        return fits >= 1 ? "lower `batch_size`: about \(min(fits, batchSize - 1)) fits"
                         : "the parameters and optimizer state alone do not fit: use fewer or smaller layers"
    }
}
