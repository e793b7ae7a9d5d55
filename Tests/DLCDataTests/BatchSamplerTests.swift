import DLCData
import Testing

@Suite("Batch sampler")
struct BatchSamplerTests {
    @Test func everyEpochIsAPermutation() {
        var sampler = BatchSampler(count: 103, batchSize: 10, shuffle: true, seed: 7)
        var orders: [[Int]] = []
        for epoch in 0..<5 {
            let batches = sampler.batches(epoch: epoch)
            #expect(batches.count == 11)
            #expect(batches.last == 100..<103)
            #expect(batches.dropLast().allSatisfy { $0.count == 10 })
            #expect(batches.flatMap { Array($0) } == Array(0..<103))
            #expect(sampler.order.sorted() == Array(0..<103))
            orders.append(sampler.order)
        }
        #expect(Set(orders).count == 5)
        #expect(orders[0] != Array(0..<103))
    }

    @Test func sameSeedSameOrder() {
        var first = BatchSampler(count: 50, batchSize: 8, shuffle: true, seed: 3)
        var second = BatchSampler(count: 50, batchSize: 8, shuffle: true, seed: 3)
        var other = BatchSampler(count: 50, batchSize: 8, shuffle: true, seed: 4)
        _ = first.batches(epoch: 0)
        _ = first.batches(epoch: 1)
        // An epoch's order depends on its number only, not on the epochs before it.
        _ = second.batches(epoch: 1)
        #expect(first.order == second.order)
        _ = other.batches(epoch: 1)
        #expect(first.order != other.order)
    }

    @Test func withoutShuffleKeepsOrder() {
        var sampler = BatchSampler(count: 5, batchSize: 2, shuffle: false, seed: 1)
        #expect(sampler.batches(epoch: 3) == [0..<2, 2..<4, 4..<5])
        #expect(sampler.order == [0, 1, 2, 3, 4])
        var empty = BatchSampler(count: 0, batchSize: 4, shuffle: true, seed: 1)
        #expect(empty.batches(epoch: 0).isEmpty)
    }

    @Test func gatherCopiesTheRightRows() {
        let dataset = Dataset(
            features: (0..<20).map(Float.init), exampleShape: [2, 2], count: 5, labels: [0, 1, 2, 0, 1],
            targets: [], targetWidth: 1, classNames: ["a", "b", "c"])
        var sampler = BatchSampler(count: 5, batchSize: 3, shuffle: true, seed: 11)
        let batches = sampler.batches(epoch: 2)
        var features = [Float](repeating: -1, count: 12)
        var labels = [Float](repeating: -1, count: 3)
        for range in batches {
            features.withUnsafeMutableBufferPointer { featureBuffer in
                labels.withUnsafeMutableBufferPointer { labelBuffer in
                    guard let featureBase = featureBuffer.baseAddress else { return }
                    sampler.gather(range, from: dataset, features: featureBase, labels: labelBuffer.baseAddress, targets: nil)
                }
            }
            for (row, position) in range.enumerated() {
                let index = sampler.order[position]
                #expect(Array(features[(4 * row)..<(4 * row + 4)]) == (0..<4).map { Float(4 * index + $0) })
                #expect(labels[row] == dataset.labels[index])
            }
        }
    }

    @Test func gatherTargets() {
        let dataset = Dataset(
            features: [1, 2, 3], exampleShape: [1], count: 3, labels: [],
            targets: [10, 11, 20, 21, 30, 31], targetWidth: 2, classNames: [])
        var sampler = BatchSampler(count: 3, batchSize: 3, shuffle: false, seed: 0)
        let range = sampler.batches(epoch: 0)[0]
        var features = [Float](repeating: 0, count: 3)
        var targets = [Float](repeating: 0, count: 6)
        var labels: [Float] = [-1, -1, -1]
        features.withUnsafeMutableBufferPointer { f in
            targets.withUnsafeMutableBufferPointer { t in
                labels.withUnsafeMutableBufferPointer { l in
                    guard let base = f.baseAddress else { return }
                    sampler.gather(range, from: dataset, features: base, labels: l.baseAddress, targets: t.baseAddress)
                }
            }
        }
        #expect(features == [1, 2, 3])
        #expect(targets == [10, 11, 20, 21, 30, 31])
        #expect(labels == [-1, -1, -1])
    }
}
