extension Kernels {
    /// Mean over positions: `[batch, positions, channels] -> [batch, channels]`.
    public static func globalAveragePool(_ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, positions: Int, channels: Int) {
        let scale = 1 / Float(positions)
        for b in 0..<batch {
            let out = y + b * channels
            out.update(repeating: 0, count: channels)
            let image = x + b * positions * channels
            for p in 0..<positions {
                let row = image + p * channels
                for c in 0..<channels { out[c] += row[c] }
            }
            for c in 0..<channels { out[c] *= scale }
        }
    }

    /// `d mean/dx = 1 / positions`: `dx[b, p, c] = dy[b, c] / positions`.
    public static func globalAveragePoolBackward(dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, batch: Int, positions: Int,
                                                 channels: Int) {
        let scale = 1 / Float(positions)
        for b in 0..<batch {
            let gradient = dy + b * channels
            let image = dx + b * positions * channels
            for p in 0..<positions {
                let row = image + p * channels
                for c in 0..<channels { row[c] = gradient[c] * scale }
            }
        }
    }

    /// Maximum over positions, `[batch, positions, channels] -> [batch, channels]`; `argmax[b, c]`
    /// is the winning position (the first, on ties). A NaN wins, so it shows in the output.
    public static func globalMaxPool(_ x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
                                     batch: Int, positions: Int, channels: Int) {
        for b in 0..<batch {
            let out = y + b * channels, winners = argmax + b * channels
            let image = x + b * positions * channels
            out.update(from: image, count: channels)
            winners.update(repeating: 0, count: channels)
            for p in 1..<max(positions, 1) {
                let row = image + p * channels
                for c in 0..<channels where row[c] > out[c] || (row[c].isNaN && !out[c].isNaN) {
                    out[c] = row[c]
                    winners[c] = Int32(p)
                }
            }
        }
    }

    /// The gradient goes to the winner: `dx[b, argmax[b, c], c] = dy[b, c]`, zero elsewhere.
    public static func globalMaxPoolBackward(dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, dx: UnsafeMutablePointer<Float>,
                                             batch: Int, positions: Int, channels: Int) {
        for b in 0..<batch {
            let image = dx + b * positions * channels
            image.update(repeating: 0, count: positions * channels)
            for c in 0..<channels {
                image[Int(argmax[b * channels + c]) * channels + c] = dy[b * channels + c]
            }
        }
    }
}
