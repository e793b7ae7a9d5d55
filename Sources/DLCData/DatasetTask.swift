/// What a spec's loss asks of its targets: class labels or real values.
///
/// It decides how a single CSV target column is read; IDX and builtin sets know their own kind.
public enum DatasetTask: Sendable, Hashable {
    /// The target column holds class labels (strings or integers), mapped to sorted class indices.
    case classification
    /// The target columns hold numbers, loaded as they are.
    case regression
}
