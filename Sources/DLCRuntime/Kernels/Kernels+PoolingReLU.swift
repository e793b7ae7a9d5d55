extension Kernels {
    /// `maxPoolBackward` followed by the backward of the relu that made the pool's input, in one pass:
    /// each winner gets `dy` when the pooled value (the relu's output there) is positive, every other
    /// input cell gets 0. `pooled` is the pool's output `[batch, h', w', channels]`.
    public static func maxPoolBackwardThroughReLU(
        dy: UnsafePointer<Float>, pooled: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
        dx: UnsafeMutablePointer<Float>, geometry g: ConvolutionGeometry
    ) {
        let channels = g.inChannels
        if g.windowsTileInput {
            g.forEachWindow { window, output in
                window.forEachCell { offset in (dx + offset).update(repeating: 0, count: channels) }
                for c in 0..<channels where pooled[output + c] > 0 { dx[Int(argmax[output + c])] = dy[output + c] }
            }
            return
        }
        dx.update(repeating: 0, count: g.inputSize)
        let count = g.batch * g.outHeight * g.outWidth * channels
        for o in 0..<count where argmax[o] >= 0 && pooled[o] > 0 {
            dx[Int(argmax[o])] += dy[o]
        }
    }
}
