import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// LSTM and GRU (one and two directions, last state and every step) against PyTorch's `nn.LSTM`
/// and `nn.GRU` over `pack_padded_sequence` (`Reference/sequence_layers.py` made
/// `Reference/sequence_layers.json`): from the same weights and padded batch, the output and the
/// gradients of `sum(output * upstream)` with respect to the input and every weight, to 1e-4 of
/// each array's largest value. Padded steps hold random values that must change nothing.
struct RecurrentReferenceTests {
    struct Case: Decodable {
        var kind: String
        var bidirectional: Bool
        var return_sequences: Bool
        var batch: Int
        var steps: Int
        var inputs: Int
        var units: Int
        var lengths: [Int]
        var x: [Float]
        var parameters: [String: [Float]]
        var upstream: [Float]
        var output: [Float]
        var gradients: [String: [Float]]
    }

    struct Reference: Decodable {
        var cases: [String: Case]
    }

    static let reference: Reference? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/sequence_layers.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    static let recurrentCases = ["lstm_last", "lstm_sequences", "lstm_bidirectional_last", "lstm_bidirectional_sequences",
                                 "gru_last", "gru_sequences", "gru_bidirectional_last", "gru_bidirectional_sequences"]

    static func close(_ actual: [Float], _ expected: [Float], _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, PyTorch \(expected.count)")
        let scale = max(expected.map(abs).max() ?? 0, 1e-6)
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4 * scale, "\(what): off by \(worst) (\(worst / scale) of its largest value \(scale))")
    }

    @Test(arguments: recurrentCases)
    func matchesPyTorch(_ name: String) throws {
        let c = try #require(Self.reference?.cases[name], "run Reference/sequence_layers.py")
        let cell: RecurrentCell = c.kind == "lstm" ? .lstm : .gru
        let (batch, steps, units) = (c.batch, c.steps, c.units)
        let directions = c.bidirectional ? 2 : 1
        let perStep = c.return_sequences ? steps : 1
        let x = FloatBuffer(c.x), lengths = FloatBuffer(c.lengths.map(Float.init))
        var output = [Float](repeating: 0, count: batch * perStep * units * directions)
        var dx = [Float](repeating: 0, count: c.x.count)
        for direction in 0..<directions {
            let suffix = direction == 1 ? "_reverse" : ""
            let weights = try ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { FloatBuffer(try #require(c.parameters["rnn.\($0)\(suffix)"])) }
            let attributes = RecurrentAttributes(cell: cell, units: units, reverse: direction == 1, returnsSequences: c.return_sequences)
            let y = FloatBuffer(count: batch * perStep * units)
            let record = FloatBuffer(count: batch * steps * cell.recordWidth(units: units), value: .nan)
            let scratch = FloatBuffer(count: RecurrentScratch(batch: batch, steps: steps, attributes: attributes, training: true).floats, value: .nan)
            let kernel = RecurrentKernel(x: x.pointer, weightInput: weights[0].pointer, weightHidden: weights[1].pointer, biasInput: weights[2].pointer,
                                         biasHidden: weights[3].pointer, lengths: lengths.pointer, output: y.pointer, record: record.pointer,
                                         scratch: scratch.pointer, batch: batch, steps: steps, inputs: c.inputs, attributes: attributes)
            kernel.forward()
            // This direction's part of the output and of the upstream gradient: features [direction * units, +units) of each row.
            let dy = FloatBuffer(count: y.count)
            for row in 0..<(batch * perStep) {
                for j in 0..<units {
                    output[(row * directions + direction) * units + j] = y[row * units + j]
                    dy[row * units + j] = c.upstream[(row * directions + direction) * units + j]
                }
            }
            let width = cell.gates * units
            let packed = FloatBuffer(count: c.x.count + c.inputs * width + units * width + 2 * width, value: .nan)
            RecurrentGradientKernel(forward: kernel, dy: dy.pointer, packed: packed.pointer).run()
            let gradients = packed.values
            for i in 0..<dx.count { dx[i] += gradients[i] }
            var start = c.x.count
            for (what, count) in [("weight_ih", c.inputs * width), ("weight_hh", units * width), ("bias_ih", width), ("bias_hh", width)] {
                Self.close(Array(gradients[start..<start + count]), try #require(c.gradients["rnn.\(what)\(suffix)"]), "\(name): d \(what)\(suffix)")
                start += count
            }
        }
        Self.close(output, c.output, "\(name): output")
        Self.close(dx, try #require(c.gradients["x"]), "\(name): dx")
    }
}
