import Dispatch

/// Splits elementwise and per-image work of large tensors over the machine's two cores (BLAS
/// already uses them for the matrix products).
enum Parallel {
    /// Work below this many floats stays on one thread (the handoff costs a few microseconds).
    static let threshold = 1 << 17

    /// Runs `body(start, count)` over `0..<total` items in two halves at once when `floats` is large.
    /// Both halves always split the same way for the same arguments.
    @inline(__always)
    static func halves(_ total: Int, floats: Int, _ body: (Int, Int) -> Void) {
        guard total >= 2, floats >= threshold else {
            body(0, total)
            return
        }
        let half = total / 2
        withoutActuallyEscaping(body) { body in
            let work = UncheckedRange(run: body)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                part == 0 ? work.run(0, half) : work.run(half, total - half)
            }
        }
    }
}

/// A closure over disjoint parts of buffers, shared by two threads.
private struct UncheckedRange: @unchecked Sendable {
    let run: (Int, Int) -> Void
}

extension ConvolutionGeometry {
    /// The same window over `count` images, with the floats one image takes in and out.
    func images(_ count: Int) -> (geometry: ConvolutionGeometry, image: Int, output: Int) {
        var part = self
        part.batch = count
        return (part, inHeight * inWidth * inChannels, outHeight * outWidth * outChannels)
    }
}
