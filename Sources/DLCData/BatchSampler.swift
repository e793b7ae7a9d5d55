/// Seeded per-epoch shuffling and gathering of batches straight into caller-owned buffers (no allocation per batch).
///
/// Epoch `e` visits the examples in the order of a permutation drawn from
/// `SeededRandom(seed: seed, stream: 1000 + e)` (or in their own order without shuffling), so an
/// epoch's batches depend only on the seed and the epoch's number, never on earlier epochs.
public struct BatchSampler: Sendable {
    /// The number of examples.
    public let count: Int
    /// The number of examples in a full batch (at least 1).
    public let batchSize: Int
    /// Whether each epoch visits the examples in a new random order.
    public let shuffle: Bool
    /// The seed of the epochs' permutations.
    public let seed: UInt64
    /// The example indices of the current epoch, in visiting order.
    public private(set) var order: [Int]

    /// A sampler over `count` examples; a `batchSize` below 1 is taken as 1.
    public init(count: Int, batchSize: Int, shuffle: Bool, seed: UInt64) {
        self.count = max(count, 0)
        self.batchSize = max(batchSize, 1)
        self.shuffle = shuffle
        self.seed = seed
        order = Array(0..<self.count)
    }

    /// The example indices of every batch of `epoch` (0-based): a permutation from SeededRandom(seed: seed, stream: 1000 + epoch) when shuffling; the last batch may be smaller.
    ///
    /// Returns ranges into ``order``, which this call sets to the epoch's visiting order.
    public mutating func batches(epoch: Int) -> [Range<Int>] {
        if shuffle {
            for index in order.indices { order[index] = index }
            var random = SeededRandom(seed: seed, stream: 1000 &+ UInt64(truncatingIfNeeded: epoch))
            SeededPermutation.shuffle(&order, using: &random)
        }
        return stride(from: 0, to: count, by: batchSize).map { $0..<min($0 + batchSize, count) }
    }

    /// Copies the examples `order[range]` into `features` ([n, featureCount]) and labels/targets into `labels` ([n]) or `targets` ([n, width]).
    ///
    /// `labels` is filled for a classification dataset and `targets` for a regression one; the
    /// other (or a nil pointer) is left alone. Each buffer must have room for `range.count` rows.
    public func gather(
        _ range: Range<Int>, from dataset: Dataset,
        features: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Float>?, targets: UnsafeMutablePointer<Float>?
    ) {
        precondition(range.lowerBound >= 0 && range.upperBound <= order.count, "internal: batch \(range) outside 0..<\(order.count)")
        let width = dataset.featureCount
        let targetWidth = dataset.targetWidth
        order.withUnsafeBufferPointer { order in
            dataset.features.withUnsafeBufferPointer { source in
                guard let from = source.baseAddress, width > 0 else { return }
                for (row, position) in range.enumerated() {
                    let index = order[position]
                    precondition(index < dataset.count, "internal: example \(index) outside a dataset of \(dataset.count)")
                    (features + row * width).update(from: from + index * width, count: width)
                }
            }
            if let labels, !dataset.labels.isEmpty {
                dataset.labels.withUnsafeBufferPointer { source in
                    for (row, position) in range.enumerated() { labels[row] = source[order[position]] }
                }
            }
            if let targets, !dataset.targets.isEmpty {
                dataset.targets.withUnsafeBufferPointer { source in
                    guard let from = source.baseAddress, targetWidth > 0 else { return }
                    for (row, position) in range.enumerated() {
                        (targets + row * targetWidth).update(from: from + order[position] * targetWidth, count: targetWidth)
                    }
                }
            }
        }
    }
}
