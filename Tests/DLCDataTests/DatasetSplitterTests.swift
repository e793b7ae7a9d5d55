import DLCData
import Testing

/// A classification dataset whose single feature is the example's index.
func indexedDataset(labels: [Int], classCount: Int) -> Dataset {
    Dataset(
        features: labels.indices.map(Float.init), exampleShape: [1], count: labels.count,
        labels: labels.map(Float.init), targets: [], targetWidth: 1,
        classNames: (0..<classCount).map(String.init))
}

@Suite("Dataset splitter")
struct DatasetSplitterTests {
    /// 60 of class 0, 30 of class 1, 10 of class 2, interleaved.
    static let labels: [Int] = (0..<100).map { $0 % 10 == 9 ? 2 : ($0 % 3 == 0 ? 1 : 0) }

    func classCounts(_ dataset: Dataset?) -> [Int] {
        (0..<3).map { label in dataset?.labels.filter { $0 == Float(label) }.count ?? 0 }
    }

    @Test func stratifiedProportions() {
        let dataset = indexedDataset(labels: Self.labels, classCount: 3)
        let counts = classCounts(dataset)
        let splits = DatasetSplitter.split(dataset, validationFraction: 0.2, testFraction: 0.1, seed: 42)
        let expectedValidation = counts.map { Int((0.2 * Double($0)).rounded()) }
        let expectedTest = counts.map { Int((0.1 * Double($0)).rounded()) }
        #expect(classCounts(splits.validation) == expectedValidation)
        #expect(classCounts(splits.test) == expectedTest)
        #expect(classCounts(splits.train) == zip(counts, zip(expectedValidation, expectedTest)).map { $0 - $1.0 - $1.1 })
        // Every example lands in exactly one split, each split in original order.
        let all = [splits.train, splits.validation, splits.test].compactMap { $0 }
        let indices = all.flatMap { $0.features.map(Int.init) }
        #expect(indices.sorted() == Array(0..<100))
        for split in all {
            #expect(split.features == split.features.sorted())
            #expect(split.labels == split.features.map { Float(Self.labels[Int($0)]) })
            #expect(split.classNames == dataset.classNames)
            #expect(split.count == split.features.count)
        }
    }

    @Test func deterministicForASeed() {
        let dataset = indexedDataset(labels: Self.labels, classCount: 3)
        let first = DatasetSplitter.split(dataset, validationFraction: 0.25, testFraction: nil, seed: 3)
        let again = DatasetSplitter.split(dataset, validationFraction: 0.25, testFraction: nil, seed: 3)
        let other = DatasetSplitter.split(dataset, validationFraction: 0.25, testFraction: nil, seed: 4)
        #expect(first.validation?.features == again.validation?.features)
        #expect(first.train.features == again.train.features)
        #expect(first.validation?.features != other.validation?.features)
        #expect(first.test == nil)
    }

    @Test func smallClassesGiveAtLeastOneAndKeepOne() {
        // Class 1 has 2 examples, class 2 has 1.
        let dataset = indexedDataset(labels: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2], classCount: 3)
        let splits = DatasetSplitter.split(dataset, validationFraction: 0.1, testFraction: 0.1, seed: 0)
        #expect(classCounts(splits.validation) == [1, 1, 0])
        #expect(classCounts(splits.test) == [1, 0, 0])
        #expect(classCounts(splits.train) == [8, 1, 1])
    }

    @Test func noFractionsKeepsEverything() {
        let dataset = indexedDataset(labels: Self.labels, classCount: 3)
        let splits = DatasetSplitter.split(dataset, validationFraction: nil, testFraction: nil, seed: 0)
        #expect(splits.train.features == dataset.features)
        #expect(splits.validation == nil && splits.test == nil)
    }

    @Test func regressionIsNotStratified() {
        let dataset = Dataset(
            features: (0..<40).map(Float.init), exampleShape: [1], count: 40, labels: [],
            targets: (0..<40).flatMap { [Float($0), -Float($0)] }, targetWidth: 2, classNames: [])
        let splits = DatasetSplitter.split(dataset, validationFraction: 0.25, testFraction: 0.1, seed: 9)
        #expect(splits.validation?.count == 10)
        #expect(splits.test?.count == 4)
        #expect(splits.train.count == 26)
        for split in [splits.train, splits.validation, splits.test].compactMap({ $0 }) {
            #expect(split.targets == split.features.flatMap { [$0, -$0] })
            #expect(split.labels.isEmpty)
        }
    }

    @Test func subsetGathersRows() {
        let dataset = Dataset(
            features: [1, 2, 3, 4, 5, 6], exampleShape: [2], count: 3, labels: [0, 1, 0],
            targets: [], targetWidth: 1, classNames: ["a", "b"])
        let subset = dataset.subset([2, 0, 2])
        #expect(subset.features == [5, 6, 1, 2, 5, 6])
        #expect(subset.labels == [0, 0, 0])
        #expect(subset.count == 3 && subset.featureCount == 2)
    }
}
