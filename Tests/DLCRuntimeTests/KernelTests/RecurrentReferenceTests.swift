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
        var causal: Bool?
        var heads: Int?
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

/// Self-attention against PyTorch's `nn.MultiheadAttention` with a key padding mask (and a causal
/// mask), from the same file: the input projection, the attention kernel and the output
/// projection composed as dlc's graph composes them; outputs zero past each length.
struct AttentionReferenceTests {
    @Test(arguments: ["attention", "attention_causal", "attention_one_head"])
    func matchesPyTorch(_ name: String) throws {
        let c = try #require(RecurrentReferenceTests.reference?.cases[name], "run Reference/sequence_layers.py")
        let (batch, steps, dimension) = (c.batch, c.steps, c.inputs)
        let rows = batch * steps
        let heads = try #require(c.heads), causal = c.causal ?? false
        let inWeight = try #require(c.parameters["attention.in_proj_weight"]), inBias = try #require(c.parameters["attention.in_proj_bias"])
        let outWeight = try #require(c.parameters["attention.out_proj_weight"]), outBias = try #require(c.parameters["attention.out_proj_bias"])
        let x = FloatBuffer(c.x), lengths = FloatBuffer(c.lengths.map(Float.init))
        let qkv = FloatBuffer(count: rows * 3 * dimension)
        let win = FloatBuffer(inWeight), wout = FloatBuffer(outWeight)
        Kernels.matmul(x.pointer, win.pointer, qkv.pointer, m: rows, n: 3 * dimension, k: dimension)
        for r in 0..<rows { for j in 0..<3 * dimension { qkv[r * 3 * dimension + j] += inBias[j] } }
        let attended = FloatBuffer(count: rows * dimension)
        let probabilities = FloatBuffer(count: batch * heads * steps * steps, value: .nan)
        let scratch = FloatBuffer(count: steps * steps, value: .nan)
        let kernel = AttentionKernel(qkv: qkv.pointer, lengths: lengths.pointer, output: attended.pointer, probabilities: probabilities.pointer,
                                     scratch: scratch.pointer, batch: batch, steps: steps, dimension: dimension, heads: heads, causal: causal)
        kernel.forward()
        let output = FloatBuffer(count: rows * dimension)
        Kernels.matmul(attended.pointer, wout.pointer, output.pointer, m: rows, n: dimension, k: dimension)
        // The output projection's bias, then dlc's zeros past each length.
        for b in 0..<batch {
            for t in 0..<steps {
                for j in 0..<dimension {
                    let index = (b * steps + t) * dimension + j
                    output[index] = t < c.lengths[b] ? output[index] + outBias[j] : 0
                }
            }
        }
        RecurrentReferenceTests.close(output.values, c.output, "\(name): output")
        // Backward through the same steps; the mask zeroes the upstream gradient past each length.
        let dy = FloatBuffer(c.upstream)
        for b in 0..<batch { for t in c.lengths[b]..<steps { for j in 0..<dimension { dy[(b * steps + t) * dimension + j] = 0 } } }
        let dOutWeight = FloatBuffer(count: dimension * dimension), dAttended = FloatBuffer(count: rows * dimension)
        Kernels.matmul(attended.pointer, dy.pointer, dOutWeight.pointer, m: dimension, n: dimension, k: rows, transposeA: true)
        Kernels.matmul(dy.pointer, wout.pointer, dAttended.pointer, m: rows, n: dimension, k: dimension, transposeB: true)
        let dOutBias = (0..<dimension).map { j in (0..<rows).reduce(Float(0)) { $0 + dy[$1 * dimension + j] } }
        let dqkv = FloatBuffer(count: rows * 3 * dimension, value: .nan)
        kernel.backward(dy: dAttended.pointer, dqkv: dqkv.pointer)
        let dInWeight = FloatBuffer(count: dimension * 3 * dimension), dx = FloatBuffer(count: rows * dimension)
        Kernels.matmul(x.pointer, dqkv.pointer, dInWeight.pointer, m: dimension, n: 3 * dimension, k: rows, transposeA: true)
        Kernels.matmul(dqkv.pointer, win.pointer, dx.pointer, m: rows, n: dimension, k: 3 * dimension, transposeB: true)
        let dInBias = (0..<3 * dimension).map { j in (0..<rows).reduce(Float(0)) { $0 + dqkv[$1 * 3 * dimension + j] } }
        RecurrentReferenceTests.close(dx.values, try #require(c.gradients["x"]), "\(name): dx")
        RecurrentReferenceTests.close(dInWeight.values, try #require(c.gradients["attention.in_proj_weight"]), "\(name): d in_proj_weight")
        RecurrentReferenceTests.close(dInBias, try #require(c.gradients["attention.in_proj_bias"]), "\(name): d in_proj_bias")
        RecurrentReferenceTests.close(dOutWeight.values, try #require(c.gradients["attention.out_proj_weight"]), "\(name): d out_proj_weight")
        RecurrentReferenceTests.close(dOutBias, try #require(c.gradients["attention.out_proj_bias"]), "\(name): d out_proj_bias")
    }
}

/// The examples shared out among threads give what one thread gives: every output and gradient.
struct RecurrentThreadsTests {
    @Test(arguments: [RecurrentCell.lstm, .gru], [false, true])
    func partsAgreeWithOneThread(_ cell: RecurrentCell, sequences: Bool) throws {
        let (batch, steps, inputs, units) = (19, 7, 5, 8)
        let width = cell.gates * units
        let x = FloatBuffer(randomValues(batch * steps * inputs, seed: 1, in: -1...1))
        let lengths = FloatBuffer((0..<batch).map { Float(($0 * 5) % (steps + 1)) })
        let weights = [inputs * width, units * width, width, width].enumerated().map { FloatBuffer(randomValues($1, seed: UInt64(2 + $0), in: -0.4...0.4)) }
        let outputCount = batch * (sequences ? steps : 1) * units
        let dy = FloatBuffer(randomValues(outputCount, seed: 9, in: -1...1))
        func run(threads: Int) -> (output: [Float], gradients: [Float]) {
            let attributes = RecurrentAttributes(cell: cell, units: units, reverse: false, returnsSequences: sequences)
            let y = FloatBuffer(count: outputCount)
            let record = FloatBuffer(count: batch * steps * cell.recordWidth(units: units))
            let scratch = FloatBuffer(count: RecurrentScratch(batch: batch, steps: steps, attributes: attributes, training: true).floats, value: .nan)
            var kernel = RecurrentKernel(x: x.pointer, weightInput: weights[0].pointer, weightHidden: weights[1].pointer, biasInput: weights[2].pointer,
                                         biasHidden: weights[3].pointer, lengths: lengths.pointer, output: y.pointer, record: record.pointer,
                                         scratch: scratch.pointer, batch: batch, steps: steps, inputs: inputs, attributes: attributes)
            kernel.threads = threads
            kernel.forward()
            let packed = FloatBuffer(count: batch * steps * inputs + inputs * width + units * width + 2 * width, value: .nan)
            RecurrentGradientKernel(forward: kernel, dy: dy.pointer, packed: packed.pointer).run()
            return (y.values, packed.values)
        }
        let one = run(threads: 1), two = run(threads: 2)
        RecurrentReferenceTests.close(two.output, one.output, "\(cell) output")
        RecurrentReferenceTests.close(two.gradients, one.gradients, "\(cell) gradients")
        let finite = one.gradients.allSatisfy { $0.isFinite }
        #expect(finite)
    }
}
