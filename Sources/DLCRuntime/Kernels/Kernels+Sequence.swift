extension Kernels {
    /// Each example's length from its `steps` token ids: one past its last non-zero id (id 0 pads).
    public static func sequenceLengths(ids: UnsafePointer<Float>, lengths: UnsafeMutablePointer<Float>, batch: Int, steps: Int) {
        for b in 0..<batch {
            let row = ids + b * steps
            var length = steps
            while length > 0, row[length - 1] == 0 { length -= 1 }
            lengths[b] = Float(length)
        }
    }

    /// `min(ceil(length / stride), limit)`: the steps of a strided window's output that start inside the sequence.
    public static func strideLengths(_ lengths: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, stride: Int, limit: Int) {
        for b in 0..<batch {
            let length = stepCount(lengths[b], limit: .max)
            y[b] = Float(min((length + stride - 1) / stride, limit))
        }
    }

    /// `y = x` with every step at or past its example's length zeroed; `x` `[batch, steps, inner]`. `y` may be `x`.
    public static func maskSteps(_ x: UnsafePointer<Float>, lengths: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                 batch: Int, steps: Int, inner: Int) {
        for b in 0..<batch {
            let length = stepCount(lengths[b], limit: steps)
            let source = x + b * steps * inner, target = y + b * steps * inner
            if UnsafePointer(target) != source { target.update(from: source, count: length * inner) }
            (target + length * inner).update(repeating: 0, count: (steps - length) * inner)
        }
    }

    /// A length held as a float, as a step count in `0...limit` (NaN and negatives: 0).
    @inline(__always)
    static func stepCount(_ length: Float, limit: Int) -> Int {
        guard length > 0 else { return 0 }
        return length >= Float(limit) ? limit : Int(length)
    }

    /// Mean, or (with `argmax`) maximum, over each example's real steps of `[batch, steps, channels]`;
    /// an empty example gives zeros (and winner -1). A NaN wins a maximum.
    public static func sequencePool(_ x: UnsafePointer<Float>, lengths: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                    argmax: UnsafeMutablePointer<Int32>?, batch: Int, steps: Int, channels: Int) {
        for b in 0..<batch {
            let length = stepCount(lengths[b], limit: steps)
            let out = y + b * channels, example = x + b * steps * channels
            out.update(repeating: 0, count: channels)
            if let argmax {
                let winners = argmax + b * channels
                winners.update(repeating: length > 0 ? 0 : -1, count: channels)
                guard length > 0 else { continue }
                out.update(from: example, count: channels)
                for t in 1..<max(length, 1) {
                    let row = example + t * channels
                    for c in 0..<channels where row[c] > out[c] || (row[c].isNaN && !out[c].isNaN) {
                        out[c] = row[c]
                        winners[c] = Int32(t)
                    }
                }
            } else {
                guard length > 0 else { continue }
                for t in 0..<length {
                    let row = example + t * channels
                    for c in 0..<channels { out[c] += row[c] }
                }
                let scale = 1 / Float(length)
                for c in 0..<channels { out[c] *= scale }
            }
        }
    }

    /// The gradient of `sequencePool`: `dy / length` on every real step (mean), or `dy` on the winner (maximum).
    public static func sequencePoolBackward(dy: UnsafePointer<Float>, lengths: UnsafePointer<Float>, argmax: UnsafePointer<Int32>?,
                                            dx: UnsafeMutablePointer<Float>, batch: Int, steps: Int, channels: Int) {
        dx.update(repeating: 0, count: batch * steps * channels)
        for b in 0..<batch {
            let length = stepCount(lengths[b], limit: steps)
            let gradient = dy + b * channels, example = dx + b * steps * channels
            if let argmax {
                for c in 0..<channels {
                    let winner = Int(argmax[b * channels + c])
                    if winner >= 0, winner < steps { example[winner * channels + c] = gradient[c] }
                }
            } else if length > 0 {
                let scale = 1 / Float(length)
                for t in 0..<length {
                    let row = example + t * channels
                    for c in 0..<channels { row[c] = gradient[c] * scale }
                }
            }
        }
    }
}
