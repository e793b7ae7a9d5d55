import DLCData
import DLCGraph

/// How the ranks of a data-parallel run share out the work.
public enum DataParallel {
    /// Rank `rank`'s contiguous part of `range` when `ranks` ranks share it: the first
    /// `range.count % ranks` ranks take one row more, so no row is dropped and parts differ by at
    /// most one. A part is empty when there are fewer rows than ranks.
    public static func part(of range: Range<Int>, rank: Int, ranks: Int) -> Range<Int> {
        let ranks = max(ranks, 1)
        let base = range.count / ranks, extra = range.count % ranks
        let start = range.lowerBound + rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// The share of a batch's loss that its rows `part` carry: their count over the batch's for a
    /// mean loss, their class weights' sum over the batch's for a class-weighted one (whose
    /// kernel divides by the weights' sum). `weights[class]`, labels by position in `order`.
    static func lossShare(of part: Range<Int>, in batch: Range<Int>, order: [Int], labels: [Float],
                          classWeights: UnsafeBufferPointer<Float>?) -> Double {
        guard batch.count > 0 else { return 0 }
        guard let classWeights, !labels.isEmpty else { return Double(part.count) / Double(batch.count) }
        func weight(_ positions: Range<Int>) -> Double {
            positions.reduce(0.0) { $0 + Double(classWeights[Kernels.classIndex(labels[order[$1]], classes: classWeights.count)]) }
        }
        let total = weight(batch)
        return total > 0 ? weight(part) / total : 0
    }
}

/// Every trainable parameter's gradient side by side, then the step's loss share and a stop
/// flag: the one buffer that one allreduce sums each step. The optimizer reads the summed
/// gradients straight from it.
final class GradientBuffer {
    private let storage: UnsafeMutableBufferPointer<Float>
    private let counts: [Int]
    /// Where each parameter's gradient starts, in the buffer.
    let gradients: [UnsafeMutablePointer<Float>]
    private let tail: Int

    init(counts: [Int]) {
        self.counts = counts
        tail = counts.reduce(0, +)
        storage = .allocate(capacity: tail + 2)
        storage.initialize(repeating: 0)
        var offset = 0
        var pointers: [UnsafeMutablePointer<Float>] = []
        for count in counts {
            pointers.append(storage.baseAddress! + offset)
            offset += count
        }
        gradients = pointers
    }

    deinit { storage.deallocate() }

    /// The whole buffer, gradients, loss and flag.
    var values: UnsafeMutableBufferPointer<Float> { storage }

    /// Bytes summed each step.
    var byteCount: Int { storage.count * MemoryLayout<Float>.size }

    /// Copies a step's gradients in (nil: this rank had no rows, and adds zeros).
    func fill(from sources: [UnsafeMutablePointer<Float>]?, lossShare: Float, stops: Bool) {
        if let sources {
            for (index, source) in sources.enumerated() { gradients[index].update(from: source, count: counts[index]) }
        } else {
            storage.baseAddress!.update(repeating: 0, count: tail)
        }
        storage[tail] = lossShare
        storage[tail + 1] = stops ? 1 : 0
    }

    /// After the sum: the batch's loss (NaN when any rank's was not finite).
    var loss: Float { storage[tail] }
    /// After the sum: whether any rank was asked to stop.
    var stops: Bool { storage[tail + 1] > 0 }
}
