/// A dataset in memory, float32, row-major.
///
/// `features` is `[count, featureCount]`; a classification set has one label (a class index)
/// per example, a regression set `[count, targetWidth]` target values.
public struct Dataset: Sendable {
    /// The most float32 values (features plus labels or targets) a loaded dataset may hold: 2 GiB.
    public static let maximumValueCount = DataFile.maximumSize / MemoryLayout<Float>.size

    /// The examples' features, `[count, featureCount]`.
    public var features: [Float]
    /// The shape of one example, as ``DatasetMetadata/exampleShape`` (CSV `[f]`, IDX `[H, W, 1]`, builtin `[f]`).
    public var exampleShape: [Int]
    /// The number of values in one example: the product of ``exampleShape``.
    public var featureCount: Int
    /// The number of examples.
    public var count: Int
    /// Classification: class index per example (in `classNames` order, as Float: 0, 1, 2...); empty for regression.
    public var labels: [Float]
    /// Regression: target values `[count, targetWidth]`; empty for classification.
    public var targets: [Float]
    /// The number of target values per example; 1 for classification.
    public var targetWidth: Int
    /// The class names, sorted as ``DataTarget/sortedClassNames(_:)``; empty for regression.
    public var classNames: [String]

    /// Whether the examples are labelled with classes rather than target values.
    public var isClassification: Bool { !classNames.isEmpty }

    /// A dataset from its parts; `featureCount` is the product of `exampleShape`.
    ///
    /// `features` must hold `count * featureCount` values, and either `labels` `count` class
    /// indices (with `classNames` non-empty) or `targets` `count * targetWidth` values.
    public init(
        features: [Float],
        exampleShape: [Int],
        count: Int,
        labels: [Float],
        targets: [Float],
        targetWidth: Int,
        classNames: [String]
    ) {
        self.features = features
        self.exampleShape = exampleShape
        self.featureCount = exampleShape.reduce(1, *)
        self.count = count
        self.labels = labels
        self.targets = targets
        self.targetWidth = targetWidth
        self.classNames = classNames
    }

    /// The examples at `indices`, in that order (an index may repeat).
    ///
    /// Every index must be in `0..<count`; the result keeps the shape, class names and target width.
    public func subset(_ indices: [Int]) -> Dataset {
        let width = featureCount
        var features = [Float](repeating: 0, count: indices.count * width)
        var labels = [Float]()
        var targets = [Float]()
        features.withUnsafeMutableBufferPointer { destination in
            self.features.withUnsafeBufferPointer { source in
                guard let to = destination.baseAddress, let from = source.baseAddress, width > 0 else { return }
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "internal: subset index \(index) outside 0..<\(count)")
                    (to + row * width).update(from: from + index * width, count: width)
                }
            }
        }
        if !self.labels.isEmpty {
            labels = indices.map { self.labels[$0] }
        }
        if !self.targets.isEmpty {
            targets.reserveCapacity(indices.count * targetWidth)
            for index in indices {
                let start = index * targetWidth
                targets.append(contentsOf: self.targets[start..<(start + targetWidth)])
            }
        }
        return Dataset(
            features: features,
            exampleShape: exampleShape,
            count: indices.count,
            labels: labels,
            targets: targets,
            targetWidth: targetWidth,
            classNames: classNames)
    }
}
