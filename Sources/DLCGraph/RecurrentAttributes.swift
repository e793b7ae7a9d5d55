/// The cell of a recurrent layer, with PyTorch's gate layout.
public enum RecurrentCell: String, Sendable, Hashable {
    /// Gates input, forget, cell, output (`i, f, g, o`): `c' = f c + i g`, `h' = o tanh(c')`.
    case lstm
    /// Gates reset, update, new (`r, z, n`): `n = tanh(W_in x + b_in + r (W_hn h + b_hn))`, `h' = (1 - z) n + z h`.
    case gru

    /// The gates, each `units` wide, side by side in the weights' columns.
    public var gates: Int {
        switch self {
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// Floats a recurrent node keeps per example and step for its gradient (its auxiliary):
    /// LSTM the four gates after their activations, the cell and the hidden state; GRU the
    /// three gates after their activations, `W_hn h + b_hn` and the hidden state.
    public func recordWidth(units: Int) -> Int {
        switch self {
        case .lstm: return 6 * units
        case .gru: return 5 * units
        }
    }
}

/// One direction of a recurrent layer over `[batch, steps, inputs]`.
public struct RecurrentAttributes: Sendable, Hashable, CustomStringConvertible {
    public var cell: RecurrentCell
    public var units: Int
    /// Runs from each example's last real step back to its first.
    public var reverse: Bool
    /// Outputs every step's hidden state `[batch, steps, units]` (zero past each length), else the final one `[batch, units]`.
    public var returnsSequences: Bool

    public init(cell: RecurrentCell, units: Int, reverse: Bool, returnsSequences: Bool) {
        self.cell = cell
        self.units = units
        self.reverse = reverse
        self.returnsSequences = returnsSequences
    }

    public var description: String {
        "\(cell.rawValue), units: \(units)" + (reverse ? ", reverse" : "") + (returnsSequences ? ", sequences" : "")
    }
}

/// The scratch a recurrent node's kernel works in, in floats, laid out in this order:
/// forward: the examples' order by length (as floats), the hidden and cell state and the hidden
/// product of one step, each `[batch, gates * units]` at most; backward adds the gate gradients
/// (input side, and for a GRU the hidden side), the previous hidden states of every step and the
/// hidden weights transposed.
public struct RecurrentScratch: Sendable {
    public var batch: Int
    public var steps: Int
    public var attributes: RecurrentAttributes
    public var training: Bool

    public init(batch: Int, steps: Int, attributes: RecurrentAttributes, training: Bool) {
        self.batch = batch
        self.steps = steps
        self.attributes = attributes
        self.training = training
    }

    var width: Int { attributes.cell.gates * attributes.units }
    /// Order (batch), hidden and cell states (2 x batch x units), one step's products (batch x width),
    /// and for the backward pass a step's hidden-side gate gradients (batch x width).
    public var stepFloats: Int { batch + 2 * batch * attributes.units + 2 * batch * width }
    /// The backward pass's whole-sequence buffers: input-side gate gradients, hidden-side ones (GRU),
    /// previous hidden states; and the hidden weights transposed (`[width, units]`).
    public var sequenceFloats: Int {
        guard training else { return 0 }
        let rows = batch * steps
        return rows * width * (attributes.cell == .gru ? 2 : 1) + rows * attributes.units + attributes.units * width
    }
    public var floats: Int { stepFloats + sequenceFloats }
}
