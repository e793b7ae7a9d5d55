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

    /// A training plan's parameter gradients side by side (in `Graph.gradients` order, each
    /// aligned), then `stepScalarCount` floats for the runtime's use: the block that a
    /// data-parallel step sums over the ranks in one call, in place. Nil when a gradient is a view
    /// into another value's buffer, or the graph has none.
    public var gradientBlock: Range<Int>?
    /// Floats after the gradients in `gradientBlock`.
    public static let stepScalarCount = 16

    public init(offsets: [Int?], arenaSize: Int, unsharedSize: Int, scratchOffset: Int, scratchSize: Int,
                gradientBlock: Range<Int>? = nil) {
        self.offsets = offsets
        self.arenaSize = arenaSize
        self.unsharedSize = unsharedSize
        self.scratchOffset = scratchOffset
        self.scratchSize = scratchSize
        self.gradientBlock = gradientBlock
    }
}
