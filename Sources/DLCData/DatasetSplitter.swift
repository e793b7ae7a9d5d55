/// Holds out validation and test examples from a dataset: seeded, and stratified for classification.
///
/// The examples are shuffled with `SeededRandom(seed: seed, stream: 1)`. Then each class (the
/// whole set for regression) gives, from its shuffled examples, `round(fraction * classCount)`
/// examples to validation and then as many for the test fraction; the rest is for training.
/// Within each split the examples keep their original order, so a split depends only on the
/// dataset's size and labels, the fractions and the seed.
public enum DatasetSplitter {
    /// The random stream of the hold-out shuffle.
    public static let randomStream: UInt64 = 1

    /// Splits `dataset`; a nil (or non-positive) fraction holds out nothing for that split.
    ///
    /// Rounding is half away from zero. A class with at least 2 examples gives at least 1 to
    /// each requested split, but always keeps at least 1 for training, so a tiny class may give
    /// fewer than asked (validation is served first). A split that ends up empty is nil.
    public static func split(_ dataset: Dataset, validationFraction: Double?, testFraction: Double?, seed: UInt64) -> DataSplits {
        let rows = indices(dataset, validationFraction: validationFraction, testFraction: testFraction, seed: seed)
        return DataSplits(
            train: dataset.subset(rows.train),
            validation: rows.validation.isEmpty ? nil : dataset.subset(rows.validation),
            test: rows.test.isEmpty ? nil : dataset.subset(rows.test))
    }

    /// The examples ``split(_:validationFraction:testFraction:seed:)`` puts in each split, each in increasing order.
    public static func indices(
        _ dataset: Dataset, validationFraction: Double?, testFraction: Double?, seed: UInt64
    ) -> (train: [Int], validation: [Int], test: [Int]) {
        if heldOut(validationFraction, of: dataset.count) == 0 && heldOut(testFraction, of: dataset.count) == 0 {
            return (Array(0..<dataset.count), [], [])
        }
        var random = SeededRandom(seed: seed, stream: randomStream)
        let order = SeededPermutation.shuffled(count: dataset.count, using: &random)

        var validation: [Int] = []
        var test: [Int] = []
        var train: [Int] = []
        for group in groups(of: dataset, in: order) {
            let count = group.count
            let available = max(count - 1, 0)
            let validationCount = min(heldOut(validationFraction, of: count), available)
            let testCount = min(heldOut(testFraction, of: count), available - validationCount)
            validation += group[0..<validationCount]
            test += group[validationCount..<(validationCount + testCount)]
            train += group[(validationCount + testCount)...]
        }
        return (train.sorted(), validation.sorted(), test.sorted())
    }

    /// The examples of each class in `order` (one group of all of them for regression).
    private static func groups(of dataset: Dataset, in order: [Int]) -> [[Int]] {
        guard dataset.isClassification, dataset.labels.count == dataset.count else { return [order] }
        var groupOfLabel: [Float: Int] = [:]
        var groups: [[Int]] = []
        for index in order {
            let label = dataset.labels[index]
            if let group = groupOfLabel[label] {
                groups[group].append(index)
            } else {
                groupOfLabel[label] = groups.count
                groups.append([index])
            }
        }
        return groups
    }

    /// How many of `count` examples `fraction` asks for: `round(fraction * count)`, at least 1
    /// when `count >= 2` and the fraction is positive.
    static func heldOut(_ fraction: Double?, of count: Int) -> Int {
        guard let fraction, fraction > 0, fraction.isFinite, count > 0 else { return 0 }
        let rounded = (min(fraction, 1) * Double(count)).rounded()
        let wanted = Int(rounded)
        return min(count >= 2 ? max(wanted, 1) : wanted, count)
    }
}
