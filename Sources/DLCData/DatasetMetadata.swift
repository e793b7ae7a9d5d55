/// What the checker needs to know about a data set without loading it.
public struct DatasetMetadata: Sendable, Hashable {
    /// The shape of one example, without the batch dimension.
    ///
    /// CSV: `[featureCount]`; IDX images `N x H x W`: `[H, W, 1]`; IDX images with another rank:
    /// the dimensions after `N` (`N x D` gives `[D]`, `N x H x W x C` gives `[H, W, C]`);
    /// builtin: `[featureCount]`.
    public var exampleShape: [Int]
    /// The number of examples (CSV data rows, IDX images, synthetic samples).
    public var exampleCount: Int
    /// CSV: the feature columns in order; IDX and builtin sets: empty.
    public var featureNames: [String]
    /// CSV with one target column: the distinct values of that column as classes; CSV with
    /// several target columns: `.values(width:)`; IDX: the distinct labels; builtin: two classes
    /// `"0"`, `"1"`, or one value for `sine`.
    public var target: DataTarget
    /// Whether every target value is a decimal number (always true for IDX and builtin sets).
    public var targetIsNumeric: Bool
    /// CSV: how the columns become the model's features, fitted on the training split; the
    /// model's input is `[encoding.modelWidth]`. Nil for IDX and builtin sets.
    public var encoding: FeatureEncoding?
    /// CSV: rows left out because their target was missing (`missing_target: drop`).
    public var droppedRows = 0

    public init(
        exampleShape: [Int],
        exampleCount: Int,
        featureNames: [String],
        target: DataTarget,
        targetIsNumeric: Bool
    ) {
        self.exampleShape = exampleShape
        self.exampleCount = exampleCount
        self.featureNames = featureNames
        self.target = target
        self.targetIsNumeric = targetIsNumeric
    }
}
