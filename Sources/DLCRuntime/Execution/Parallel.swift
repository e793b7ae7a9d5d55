import Dispatch

/// Splits elementwise and per-image work of large tensors over the cores, and runs the parts of
/// a batch's convolution side by side, each with its own single-threaded matrix products.
enum Parallel {
    /// Work below this many floats stays on one thread (the handoff costs a few microseconds).
    static let threshold = 1 << 17

    /// Convolutions with fewer multiply-adds than this run as one product on all BLAS threads.
    static let convolutionThreshold = 1 << 21

    /// The threads a new executor uses unless told otherwise (`--threads`), set once before
    /// training by `BLASSetup.configure`; with 1, nothing is split.
    nonisolated(unsafe) static var defaultThreadCount = 2

    /// How many parts `parts` splits `total` items of `floats` floats into: one per thread, at
    /// most one per item, and at least `threshold` floats each.
    static func partCount(_ total: Int, floats: Int, threads: Int) -> Int {
        max(1, min(threads, total, floats / threshold))
    }

    /// Runs `body(start, count)` over `0..<total` items in `partCount` parts at once (part `p`
    /// starts at item `p * total / parts`), or as `body(0, total)` when that is 1. The parts
    /// depend only on the arguments, so the same call always splits the same way.
    @inline(__always)
    static func parts(_ total: Int, floats: Int, threads: Int, _ body: (Int, Int) -> Void) {
        let parts = partCount(total, floats: floats, threads: threads)
        guard parts > 1 else {
            body(0, total)
            return
        }
        run(parts: parts) { part in
            let start = part * total / parts
            body(start, (part + 1) * total / parts - start)
        }
    }

    /// How many parts `convolutionParts` splits a convolution into: one per thread (at most one
    /// per image), or 1 when it is too small to pay for the handoff.
    static func convolutionPartCount(_ geometry: ConvolutionGeometry, threads: Int) -> Int {
        let work = geometry.outputPixels * geometry.patchSize * geometry.outChannels
        return work >= convolutionThreshold ? max(1, min(threads, geometry.batch)) : 1
    }

    /// Runs `body(part, start, count)` over the images of a convolution's batch in
    /// `convolutionPartCount` parts at once: part `p` gets images `p * batch / parts` up to the
    /// next part's start. OpenBLAS runs one thread per call meanwhile, so each core multiplies its
    /// own part's matrices; its thread count is restored after. One part runs as
    /// `body(0, 0, batch)` on the calling thread with BLAS threaded as configured.
    ///
    /// The parts depend only on the geometry and `threads`, so a step computes the same bits
    /// every time. The parts must not write what another reads: an output that shares memory
    /// with the input would be overwritten by one part while another still reads it (the planner
    /// keeps a folded convolution's input alive for this). Concurrent OpenBLAS calls at one thread
    /// each are safe: every call takes its own buffers from OpenBLAS's locked pool.
    static func convolutionParts(_ geometry: ConvolutionGeometry, threads: Int, _ body: (Int, Int, Int) -> Void) {
        let parts = convolutionPartCount(geometry, threads: threads)
        guard parts > 1 else {
            body(0, 0, geometry.batch)
            return
        }
        let blasThreads = Kernels.threadCount
        Kernels.setThreadCount(1)
        defer { Kernels.setThreadCount(blasThreads) }
        let batch = geometry.batch
        run(parts: parts) { part in
            let start = part * batch / parts, end = (part + 1) * batch / parts
            body(part, start, end - start)
        }
    }

    /// `body(part)` for each of `parts` on as many threads, each with denormals flushed as on the
    /// thread that trains (a pool thread may not have it, and its results would then depend on
    /// which thread ran which part).
    static func run(parts: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let work = UncheckedPart(run: body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                FloatingPointMode.flushDenormals()
                work.run(part)
            }
        }
    }
}

/// A closure over disjoint parts of buffers, shared by several threads.
private struct UncheckedPart: @unchecked Sendable {
    let run: (Int) -> Void
}

extension ConvolutionGeometry {
    /// The same window over `count` images, with the floats one image takes in and out.
    func images(_ count: Int) -> (geometry: ConvolutionGeometry, image: Int, output: Int) {
        var part = self
        part.batch = count
        return (part, inHeight * inWidth * inChannels, outHeight * outWidth * outChannels)
    }

    /// Floats of one image's rows of the im2col matrix, `outHeight * outWidth * patchSize`; 0 for
    /// a pointwise convolution, which has none.
    var columnsPerImage: Int { isPointwise ? 0 : outHeight * outWidth * patchSize }
}
