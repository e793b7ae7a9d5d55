/// Where each value of a graph lives in one float32 arena, allocated once per plan.
public struct BufferPlan: Sendable, Hashable {
    /// The arena offset of each value, in floats; `nil` for parameters (stored outside the arena).
    /// A view (`reshape`) has its operand's offset.
    public var offsets: [Int?]
    /// The arena's size in floats.
    public var arenaSize: Int
    /// What the arena would need if no buffer were reused, in floats (for reports).
    public var unsharedSize: Int

    /// Where the shared scratch region starts (im2col columns, loss probabilities) and its size, in floats.
    public var scratchOffset: Int
    public var scratchSize: Int

    public init(offsets: [Int?], arenaSize: Int, unsharedSize: Int, scratchOffset: Int, scratchSize: Int) {
        self.offsets = offsets
        self.arenaSize = arenaSize
        self.unsharedSize = unsharedSize
        self.scratchOffset = scratchOffset
        self.scratchSize = scratchSize
    }
}
