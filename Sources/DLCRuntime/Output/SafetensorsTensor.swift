/// One named float32 tensor of a safetensors checkpoint, values in row-major (C) order.
///
/// `values.count` must equal the product of `shape` (1 for a scalar, `shape == []`).
public struct SafetensorsTensor: Sendable, Hashable {
    /// The tensor's name in the file, such as `dense1.weight`.
    public var name: String
    /// Dimensions, outermost first: `[in, out]` for a dense weight.
    public var shape: [Int]
    /// The elements in row-major order.
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// Compares names, shapes and the values' bit patterns, so NaN equals the same NaN and
    /// `-0.0` differs from `0.0`: what a checkpoint round trip must preserve.
    public func isBitwiseEqual(to other: SafetensorsTensor) -> Bool {
        name == other.name && shape == other.shape
            && values.count == other.values.count
            && zip(values, other.values).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
