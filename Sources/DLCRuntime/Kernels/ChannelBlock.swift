/// How the batch-norm kernels walk a `[rows, channels]` matrix with long, index-free inner loops.
///
/// The channels split into blocks of at most `maximumWidth`; each block is visited as runs of
/// contiguous floats whose element `j` belongs to channel `firstChannel + j % channelCount`. With
/// few channels a run spans several whole rows (`maximumWidth / channels` of them), so even one
/// channel gets 64-float inner loops; per-channel values are "expanded" into 64-float patterns
/// that line up with every run. Scratch lives on the stack (at most 1 KiB per buffer), so the
/// kernels never allocate.
struct ChannelBlock {
    static let maximumWidth = 64

    let rows: Int
    let channels: Int
    let firstChannel: Int
    let channelCount: Int
    let rowsPerRun: Int

    /// Floats in a full run, at most `maximumWidth`.
    var runLength: Int { rowsPerRun * channelCount }

    /// Calls `body` for each channel block of a `[rows, channels]` matrix, in order.
    @inline(__always)
    static func forEach(rows: Int, channels: Int, _ body: (ChannelBlock) -> Void) {
        if channels <= 0 { return }
        if channels <= maximumWidth {
            body(ChannelBlock(rows: rows, channels: channels, firstChannel: 0, channelCount: channels,
                              rowsPerRun: maximumWidth / channels))
            return
        }
        var first = 0
        while first < channels {
            body(ChannelBlock(rows: rows, channels: channels, firstChannel: first,
                              channelCount: min(maximumWidth, channels - first), rowsPerRun: 1))
            first += maximumWidth
        }
    }

    /// Calls `body(start, count)` for each run of the block: the element offset of its first
    /// float in the matrix and its length (`runLength`, or `channelCount` for leftover rows).
    @inline(__always)
    func forEachRun(_ body: (_ start: Int, _ count: Int) -> Void) {
        let fullRuns = rows / rowsPerRun
        let runStride = rowsPerRun * channels
        for r in 0..<fullRuns { body(r * runStride + firstChannel, runLength) }
        for row in fullRuns * rowsPerRun ..< rows { body(row * channels + firstChannel, channelCount) }
    }

    /// Fills `pattern[channelCount..<runLength]` by repeating its first `channelCount` values.
    @inline(__always)
    func repeatPattern(_ pattern: UnsafeMutablePointer<Float>) {
        for j in channelCount..<max(channelCount, runLength) { pattern[j] = pattern[j - channelCount] }
    }

    /// `pattern[j] = values[j % channelCount]` for `j < runLength`; `values` holds the block's channels.
    @inline(__always)
    func expand(_ values: UnsafePointer<Float>, into pattern: UnsafeMutablePointer<Float>) {
        pattern.update(from: values, count: channelCount)
        repeatPattern(pattern)
    }

    /// Per-channel sums over all rows, written to `first` and `second` (`channelCount` each):
    /// `sum (x - shift)` and `sum (x - shift)^2`, or with `dy` given, `sum dy` and
    /// `sum dy * (x - shift)`. `shift` is an expanded pattern. Float partial sums over at most
    /// 256 runs go into `Double` totals, so the error does not grow with the number of rows.
    func sums(
        _ x: UnsafePointer<Float>, shift: UnsafePointer<Float>, dy: UnsafePointer<Float>?,
        first: UnsafeMutablePointer<Double>, second: UnsafeMutablePointer<Double>
    ) {
        let width = Self.maximumWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * width) { partialBuffer in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * width) { totalBuffer in
                guard let p1 = partialBuffer.baseAddress, let t1 = totalBuffer.baseAddress else { return }
                let (p2, t2) = (p1 + width, t1 + width)
                p1.initialize(repeating: 0, count: 2 * width)
                t1.initialize(repeating: 0, count: 2 * width)
                func flush() {
                    for j in 0..<width {
                        t1[j] += Double(p1[j])
                        t2[j] += Double(p2[j])
                    }
                    p1.update(repeating: 0, count: 2 * width)
                }
                var runsInPartial = 0
                forEachRun { start, count in
                    let xRun = x + start
                    if let dy {
                        let dyRun = dy + start
                        for j in 0..<count {
                            let g = dyRun[j]
                            p1[j] += g
                            p2[j] += g * (xRun[j] - shift[j])
                        }
                    } else {
                        for j in 0..<count {
                            let d = xRun[j] - shift[j]
                            p1[j] += d
                            p2[j] += d * d
                        }
                    }
                    runsInPartial += 1
                    if runsInPartial == 256 {
                        flush()
                        runsInPartial = 0
                    }
                }
                flush()
                for c in 0..<channelCount {
                    var (s1, s2) = (0.0, 0.0)
                    var j = c
                    while j < runLength {
                        s1 += t1[j]
                        s2 += t2[j]
                        j += channelCount
                    }
                    first[c] = s1
                    second[c] = s2
                }
            }
        }
    }
}
