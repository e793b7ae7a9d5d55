import Dispatch

/// Splits elementwise and per-image work of large tensors over two cores, and runs the halves
/// of a batch's convolution side by side, each with its own single-threaded matrix products.
enum Parallel {
    /// Work below this many floats stays on one thread (the handoff costs a few microseconds).
    static let threshold = 1 << 17

    /// Convolutions with fewer multiply-adds than this run as one product on all BLAS threads.
    static let convolutionThreshold = 1 << 21

    /// The threads a new executor uses unless told otherwise (`--threads`), set once before
    /// training by `BLASSetup.configure`; with 1, nothing is split.
    nonisolated(unsafe) static var defaultThreadCount = 2

    /// Runs `body(start, count)` over `0..<total` items in two halves at once when `floats` is large
    /// and `threads` allows. Both halves always split the same way for the same arguments.
    @inline(__always)
    static func halves(_ total: Int, floats: Int, threads: Int, _ body: (Int, Int) -> Void) {
        guard total >= 2, floats >= threshold, threads >= 2 else {
            body(0, total)
            return
        }
        split(total, body)
    }

    /// Runs `body(part, start, count)` over the batch of a convolution in two halves at once, the
    /// first `batch / 2` images as part 0 and the rest as part 1, with OpenBLAS on one thread per
    /// call, so each core multiplies its own half's matrices, then BLAS goes back to `threads`.
    /// Small convolutions, single images and a one-thread run stay whole: `body(0, 0, batch)` on
    /// the calling thread. Returns whether it split.
    ///
    /// The split depends only on the geometry, so a step computes the same bits every time.
    /// The halves must not write what the other reads: an output that shares memory with the
    /// input would be overwritten by one half while the other still reads it (the planner keeps
    /// a folded convolution's input alive for this). Concurrent OpenBLAS calls at one thread each
    /// are safe: every call takes its own buffers from OpenBLAS's locked pool.
    static func convolutionHalves(_ geometry: ConvolutionGeometry, threads: Int, _ body: (Int, Int, Int) -> Void) -> Bool {
        let work = geometry.outputPixels * geometry.patchSize * geometry.outChannels
        guard geometry.batch >= 2, work >= convolutionThreshold, threads >= 2 else {
            body(0, 0, geometry.batch)
            return false
        }
        Kernels.setThreadCount(1)
        defer { Kernels.setThreadCount(threads) }
        let half = geometry.batch / 2
        split(2) { part, _ in
            part == 0 ? body(0, 0, half) : body(1, half, geometry.batch - half)
        }
        return true
    }

    /// `body(0, half)` and `body(half, total - half)` on two threads.
    private static func split(_ total: Int, _ body: (Int, Int) -> Void) {
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

    /// Floats of one image's rows of the im2col matrix, `outHeight * outWidth * patchSize`.
    var columnsPerImage: Int { isPointwise ? 0 : outHeight * outWidth * patchSize }
}
