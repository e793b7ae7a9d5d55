/// A dataset divided into training, validation and test examples (see ``DatasetSplitter``).
public struct DataSplits: Sendable {
    /// The examples to train on.
    public var train: Dataset
    /// The held-out validation examples; nil when none were asked for (or none could be held out).
    public var validation: Dataset?
    /// The held-out test examples; nil when none were asked for (or none could be held out).
    public var test: Dataset?

    public init(train: Dataset, validation: Dataset?, test: Dataset?) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}
