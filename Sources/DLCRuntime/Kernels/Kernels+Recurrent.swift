import CBLAS
import DLCGraph

/// One direction of an LSTM or GRU layer over `[batch, steps, inputs]`, forward and backward.
///
/// The input side of every step is one matrix product over all `batch * steps` rows, written
/// straight into the record the node keeps; each step then adds one product of the hidden
/// states with the hidden weights and runs the gate arithmetic fused, for the examples still
/// running. Examples are taken longest first, so the running ones are a prefix of the state
/// rows and each step's product covers only them (as PyTorch's packed sequences); past its
/// length an example's state stays as it was, so its last output is its last real step's.
public struct RecurrentKernel {
    public typealias Pointer = UnsafeMutablePointer<Float>

    public var x: Pointer
    public var weightInput: Pointer
    public var weightHidden: Pointer
    public var biasInput: Pointer
    public var biasHidden: Pointer
    /// `[batch]` lengths; nil: every step is real.
    public var lengths: Pointer?
    /// `[batch, steps, units]` or `[batch, units]`.
    public var output: Pointer
    /// `[batch, steps, recordWidth]`: gates and states per step.
    public var record: Pointer
    public var scratch: Pointer
    public var batch: Int
    public var steps: Int
    public var inputs: Int
    public var attributes: RecurrentAttributes
    /// Threads to share the examples among (the step loop's products run on one BLAS thread each).
    public var threads = 1

    public init(x: Pointer, weightInput: Pointer, weightHidden: Pointer, biasInput: Pointer, biasHidden: Pointer, lengths: Pointer?,
                output: Pointer, record: Pointer, scratch: Pointer, batch: Int, steps: Int, inputs: Int, attributes: RecurrentAttributes) {
        self.x = x
        self.weightInput = weightInput
        self.weightHidden = weightHidden
        self.biasInput = biasInput
        self.biasHidden = biasHidden
        self.lengths = lengths
        self.output = output
        self.record = record
        self.scratch = scratch
        self.batch = batch
        self.steps = steps
        self.inputs = inputs
        self.attributes = attributes
    }

    var units: Int { attributes.units }
    var width: Int { attributes.cell.gates * attributes.units }
    var recordWidth: Int { attributes.cell.recordWidth(units: attributes.units) }
    /// Where the hidden state sits in a step's record.
    var hiddenOffset: Int { recordWidth - units }

    /// Each example's length, and the examples longest first (ties in batch order).
    func lengthsAndOrder() -> (lengths: [Int], order: [Int]) {
        let lengths = (0..<batch).map { b in self.lengths.map { Kernels.stepCount($0[b], limit: steps) } ?? steps }
        let order = (0..<batch).sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        return (lengths, order)
    }

    /// The step of example `b` (length `length`) at position `s` of its run.
    @inline(__always)
    func step(_ s: Int, length: Int) -> Int { attributes.reverse ? length - 1 - s : s }

    /// The record of example `b` at step `t`.
    @inline(__always)
    func record(_ b: Int, _ t: Int) -> Pointer { record + (b * steps + t) * recordWidth }

    public func forward() {
        let (lengths, order) = lengthsAndOrder()
        let units = self.units, width = self.width, recordWidth = self.recordWidth
        let rows = batch * steps
        // The input side of every step: record[:, 0..<width] = x Wi + bi (+ bh where it simply adds).
        Kernels.stridedMatmul(x, lda: inputs, weightInput, ldb: width, record, ldc: recordWidth, m: rows, n: width, k: inputs)
        let addsHiddenBias = attributes.cell == .lstm ? width : 2 * units
        withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { bias in
            let bias = bias.baseAddress!
            for j in 0..<width { bias[j] = biasInput[j] + (j < addsHiddenBias ? biasHidden[j] : 0) }
            let vectorEnd = width & ~7
            for row in 0..<rows {
                let r = record + row * recordWidth
                for j in stride(from: 0, to: vectorEnd, by: 8) { Kernels.store(Kernels.load(r + j) + Kernels.load(bias + j), r + j) }
                for j in vectorEnd..<width { r[j] += bias[j] }
            }
        }
        let allHidden = scratch + batch, allCell = allHidden + batch * units, allProducts = allCell + batch * units
        allHidden.update(repeating: 0, count: 2 * batch * units)
        let parts = partition(order)
        // Each step's product is small: OpenBLAS's threads would spend more waking than multiplying,
        // so the examples are shared out among threads instead, each running every step of its own.
        let blasThreads = Kernels.threadCount
        Kernels.setThreadCount(1)
        defer { Kernels.setThreadCount(blasThreads) }
        func runPart(_ part: Int) {
        let order = parts.orders[part], base = parts.bases[part]
        let hidden = allHidden + base * units, cell = allCell + base * units, product = allProducts + base * width
        for s in 0..<steps {
            var running = 0
            while running < order.count, lengths[order[running]] > s { running += 1 }
            if running == 0 { break }
            Kernels.smallProduct(hidden, lda: units, weightHidden, ldb: width, product, ldc: width, m: running, n: width, k: units)
            for k in 0..<running {
                let b = order[k]
                let r = record(b, step(s, length: lengths[b]))
                let p = product + k * width, h = hidden + k * units, c = cell + k * units
                switch attributes.cell {
                case .lstm:
                    let vectorEnd = units & ~7
                    for j in stride(from: 0, to: vectorEnd, by: 8) {
                        let i = Kernels.sigmoid(Kernels.load(r + j) + Kernels.load(p + j))
                        let f = Kernels.sigmoid(Kernels.load(r + units + j) + Kernels.load(p + units + j))
                        let g = Kernels.fastTanh(Kernels.load(r + 2 * units + j) + Kernels.load(p + 2 * units + j))
                        let o = Kernels.sigmoid(Kernels.load(r + 3 * units + j) + Kernels.load(p + 3 * units + j))
                        let newCell = f * Kernels.load(c + j) + i * g
                        let newHidden = o * Kernels.fastTanh(newCell)
                        Kernels.store(i, r + j); Kernels.store(f, r + units + j); Kernels.store(g, r + 2 * units + j); Kernels.store(o, r + 3 * units + j)
                        Kernels.store(newCell, r + 4 * units + j); Kernels.store(newHidden, r + 5 * units + j)
                        Kernels.store(newCell, c + j); Kernels.store(newHidden, h + j)
                    }
                    for j in vectorEnd..<units {
                        let i = Kernels.sigmoid(r[j] + p[j])
                        let f = Kernels.sigmoid(r[units + j] + p[units + j])
                        let g = Kernels.fastTanh(r[2 * units + j] + p[2 * units + j])
                        let o = Kernels.sigmoid(r[3 * units + j] + p[3 * units + j])
                        let newCell = f * c[j] + i * g
                        let newHidden = o * Kernels.fastTanh(newCell)
                        r[j] = i; r[units + j] = f; r[2 * units + j] = g; r[3 * units + j] = o
                        r[4 * units + j] = newCell; r[5 * units + j] = newHidden
                        c[j] = newCell; h[j] = newHidden
                    }
                case .gru:
                    let vectorEnd = units & ~7
                    for j in stride(from: 0, to: vectorEnd, by: 8) {
                        let reset = Kernels.sigmoid(Kernels.load(r + j) + Kernels.load(p + j))
                        let update = Kernels.sigmoid(Kernels.load(r + units + j) + Kernels.load(p + units + j))
                        let hiddenNew = Kernels.load(p + 2 * units + j) + Kernels.load(biasHidden + 2 * units + j)
                        let new = Kernels.fastTanh(Kernels.load(r + 2 * units + j) + reset * hiddenNew)
                        let newHidden = (1 - update) * new + update * Kernels.load(h + j)
                        Kernels.store(reset, r + j); Kernels.store(update, r + units + j); Kernels.store(new, r + 2 * units + j)
                        Kernels.store(hiddenNew, r + 3 * units + j); Kernels.store(newHidden, r + 4 * units + j)
                        Kernels.store(newHidden, h + j)
                    }
                    for j in vectorEnd..<units {
                        let reset = Kernels.sigmoid(r[j] + p[j])
                        let update = Kernels.sigmoid(r[units + j] + p[units + j])
                        let hiddenNew = p[2 * units + j] + biasHidden[2 * units + j]
                        let new = Kernels.fastTanh(r[2 * units + j] + reset * hiddenNew)
                        let newHidden = (1 - update) * new + update * h[j]
                        r[j] = reset; r[units + j] = update; r[2 * units + j] = new
                        r[3 * units + j] = hiddenNew; r[4 * units + j] = newHidden
                        h[j] = newHidden
                    }
                }
            }
        }
        if !attributes.returnsSequences {
            for (k, b) in order.enumerated() { (output + b * units).update(from: hidden + k * units, count: units) }
        }
        }
        if parts.orders.count == 1 { runPart(0) } else { Parallel.run(parts: parts.orders.count, runPart) }
        if attributes.returnsSequences {
            for b in 0..<batch {
                for t in 0..<steps {
                    let y = output + (b * steps + t) * units
                    if t < lengths[b] { y.update(from: record(b, t) + hiddenOffset, count: units) } else { y.update(repeating: 0, count: units) }
                }
            }
        }
    }

    /// The examples (longest first) shared out among up to `threads` parts, dealt in turn so each
    /// part gets long and short ones; a part's state rows start at its base.
    func partition(_ order: [Int]) -> (orders: [[Int]], bases: [Int]) {
        let count = max(1, min(threads, batch / 8))
        let orders = (0..<count).map { part in Swift.stride(from: part, to: order.count, by: count).map { order[$0] } }
        var bases = [0]
        for part in orders.dropLast() { bases.append(bases[bases.count - 1] + part.count) }
        return (orders, bases)
    }
}

/// The gradient of a `RecurrentKernel`'s forward pass: back-propagation through time, then the
/// input, weight and bias gradients as whole-sequence matrix products.
public struct RecurrentGradientKernel {
    public var forward: RecurrentKernel
    /// Shaped like the forward output.
    public var dy: UnsafeMutablePointer<Float>
    /// `[dx | dweightInput | dweightHidden | dbiasInput | dbiasHidden]`.
    public var packed: UnsafeMutablePointer<Float>

    public init(forward: RecurrentKernel, dy: UnsafeMutablePointer<Float>, packed: UnsafeMutablePointer<Float>) {
        self.forward = forward
        self.dy = dy
        self.packed = packed
    }

    public func run() {
        let f = forward
        let (lengths, order) = f.lengthsAndOrder()
        let batch = f.batch, steps = f.steps, units = f.units, width = f.width, inputs = f.inputs
        let rows = batch * steps
        let allDHidden = f.scratch + batch, allDCell = allDHidden + batch * units
        let allStepGradients = allDCell + batch * units, allProducts = allStepGradients + batch * width
        let inputGradients = allProducts + batch * width
        let hiddenGradients = f.attributes.cell == .gru ? inputGradients + rows * width : inputGradients
        let previousHidden = (f.attributes.cell == .gru ? hiddenGradients + rows * width : inputGradients + rows * width)
        allDHidden.update(repeating: 0, count: 2 * batch * units)
        inputGradients.update(repeating: 0, count: rows * width * (f.attributes.cell == .gru ? 2 : 1))
        previousHidden.update(repeating: 0, count: rows * units)
        // The hidden weights transposed, `[width, units]`, for each step's `d Wh^T`.
        let hiddenTransposed = previousHidden + rows * units
        for i in 0..<units {
            for j in 0..<width { hiddenTransposed[j * units + i] = f.weightHidden[i * width + j] }
        }
        let parts = f.partition(order)
        let blasThreads = Kernels.threadCount
        Kernels.setThreadCount(1)
        func runPart(_ part: Int) {
        let order = parts.orders[part], base = parts.bases[part]
        let dHidden = allDHidden + base * units, dCell = allDCell + base * units
        let stepGradient = allStepGradients + base * width, product = allProducts + base * width
        for s in stride(from: steps - 1, through: 0, by: -1) {
            var running = 0
            while running < order.count, lengths[order[running]] > s { running += 1 }
            if running == 0 { continue }
            for k in 0..<running {
                let b = order[k], length = lengths[b]
                let t = f.step(s, length: length)
                let dh = dHidden + k * units, dc = dCell + k * units
                if f.attributes.returnsSequences {
                    let incoming = dy + (b * steps + t) * units
                    for j in 0..<units { dh[j] += incoming[j] }
                } else if s == length - 1 {
                    let incoming = dy + b * units
                    for j in 0..<units { dh[j] += incoming[j] }
                }
                let r = f.record(b, t)
                let previous: UnsafeMutablePointer<Float>? = s == 0 ? nil : f.record(b, f.attributes.reverse ? t + 1 : t - 1)
                let hPrevious = previousHidden + (b * steps + t) * units
                if let previous { hPrevious.update(from: previous + f.hiddenOffset, count: units) }
                let gi = inputGradients + (b * steps + t) * width
                let gh = hiddenGradients + (b * steps + t) * width
                let d = stepGradient + k * width
                switch f.attributes.cell {
                case .lstm:
                    let vectorEnd = units & ~7
                    for j in stride(from: 0, to: vectorEnd, by: 8) {
                        let i = Kernels.load(r + j), fg = Kernels.load(r + units + j), g = Kernels.load(r + 2 * units + j)
                        let o = Kernels.load(r + 3 * units + j), c = Kernels.load(r + 4 * units + j)
                        let cPrevious = previous.map { Kernels.load($0 + 4 * units + j) } ?? Kernels.Lanes(repeating: 0)
                        let tc = Kernels.fastTanh(c)
                        let dhj = Kernels.load(dh + j)
                        let dc2 = Kernels.load(dc + j) + dhj * o * (1 - tc * tc)
                        let di = dc2 * g * i * (1 - i)
                        let df = dc2 * cPrevious * fg * (1 - fg)
                        let dg = dc2 * i * (1 - g * g)
                        let dout = dhj * tc * o * (1 - o)
                        Kernels.store(di, gi + j); Kernels.store(df, gi + units + j); Kernels.store(dg, gi + 2 * units + j); Kernels.store(dout, gi + 3 * units + j)
                        Kernels.store(di, d + j); Kernels.store(df, d + units + j); Kernels.store(dg, d + 2 * units + j); Kernels.store(dout, d + 3 * units + j)
                        Kernels.store(dc2 * fg, dc + j)
                    }
                    for j in vectorEnd..<units {
                        let i = r[j], fg = r[units + j], g = r[2 * units + j], o = r[3 * units + j], c = r[4 * units + j]
                        let cPrevious = previous.map { $0[4 * units + j] } ?? 0
                        let tc = Kernels.fastTanh(c)
                        let dOutput = dh[j] * tc
                        let dc2 = dc[j] + dh[j] * o * (1 - tc * tc)
                        let di = dc2 * g * i * (1 - i)
                        let df = dc2 * cPrevious * fg * (1 - fg)
                        let dg = dc2 * i * (1 - g * g)
                        let dout = dOutput * o * (1 - o)
                        gi[j] = di; gi[units + j] = df; gi[2 * units + j] = dg; gi[3 * units + j] = dout
                        d[j] = di; d[units + j] = df; d[2 * units + j] = dg; d[3 * units + j] = dout
                        dc[j] = dc2 * fg
                    }
                case .gru:
                    let vectorEnd = units & ~7
                    for j in stride(from: 0, to: vectorEnd, by: 8) {
                        let reset = Kernels.load(r + j), update = Kernels.load(r + units + j)
                        let new = Kernels.load(r + 2 * units + j), hiddenNew = Kernels.load(r + 3 * units + j)
                        let hp = previous.map { Kernels.load($0 + 4 * units + j) } ?? Kernels.Lanes(repeating: 0)
                        let dhj = Kernels.load(dh + j)
                        let dNewPre = dhj * (1 - update) * (1 - new * new)
                        let dResetPre = dNewPre * hiddenNew * reset * (1 - reset)
                        let dUpdatePre = dhj * (hp - new) * update * (1 - update)
                        Kernels.store(dResetPre, gi + j); Kernels.store(dUpdatePre, gi + units + j); Kernels.store(dNewPre, gi + 2 * units + j)
                        Kernels.store(dResetPre, gh + j); Kernels.store(dUpdatePre, gh + units + j); Kernels.store(dNewPre * reset, gh + 2 * units + j)
                        Kernels.store(dResetPre, d + j); Kernels.store(dUpdatePre, d + units + j); Kernels.store(dNewPre * reset, d + 2 * units + j)
                        Kernels.store(dhj * update, dh + j)
                    }
                    for j in vectorEnd..<units {
                        let reset = r[j], update = r[units + j], new = r[2 * units + j], hiddenNew = r[3 * units + j]
                        let hp = previous.map { $0[4 * units + j] } ?? 0
                        let dNewPre = dh[j] * (1 - update) * (1 - new * new)
                        let dResetPre = dNewPre * hiddenNew * reset * (1 - reset)
                        let dUpdatePre = dh[j] * (hp - new) * update * (1 - update)
                        gi[j] = dResetPre; gi[units + j] = dUpdatePre; gi[2 * units + j] = dNewPre
                        gh[j] = dResetPre; gh[units + j] = dUpdatePre; gh[2 * units + j] = dNewPre * reset
                        d[j] = dResetPre; d[units + j] = dUpdatePre; d[2 * units + j] = dNewPre * reset
                        dh[j] *= update
                    }
                }
            }
            // The hidden state's gradient one step earlier: d Wh^T (plus, for a GRU, z dh kept above).
            Kernels.smallProduct(stepGradient, lda: width, hiddenTransposed, ldb: units, product, ldc: units, m: running, n: units, k: width)
            for k in 0..<running {
                let dh = dHidden + k * units, q = product + k * units
                if f.attributes.cell == .lstm {
                    dh.update(from: q, count: units)
                } else {
                    for j in 0..<units { dh[j] += q[j] }
                }
            }
        }
        }
        if parts.orders.count == 1 { runPart(0) } else { Parallel.run(parts: parts.orders.count, runPart) }
        Kernels.setThreadCount(blasThreads)
        let dx = packed, dWeightInput = dx + rows * inputs, dWeightHidden = dWeightInput + inputs * width
        let dBiasInput = dWeightHidden + units * width, dBiasHidden = dBiasInput + width
        Kernels.stridedMatmul(inputGradients, lda: width, f.weightInput, ldb: width, dx, ldc: inputs, m: rows, n: inputs, k: width,
                              transposeB: true)
        Kernels.stridedMatmul(f.x, lda: inputs, inputGradients, ldb: width, dWeightInput, ldc: width, m: inputs, n: width, k: rows,
                              transposeA: true)
        Kernels.stridedMatmul(previousHidden, lda: units, hiddenGradients, ldb: width, dWeightHidden, ldc: width, m: units, n: width, k: rows,
                              transposeA: true)
        Kernels.sumRows(inputGradients, into: dBiasInput, rows: rows, columns: width, accumulate: false)
        Kernels.sumRows(hiddenGradients, into: dBiasHidden, rows: rows, columns: width, accumulate: false)
    }
}

extension Kernels {
    /// `1 / (1 + exp(-x))`, vectorizable.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) }

    /// Row-major `C[m, n] = op(A) op(B)` with leading dimensions (rows as stored), through OpenBLAS
    /// (the loops when it is missing).
    static func stridedMatmul(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>,
                              ldc: Int, m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false) {
        guard m > 0, n > 0 else { return }
        if k > 0, dlc_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb),
                            0, c, Int32(ldc)) == 0 { return }
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    sum += (transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j])
                }
                c[i * ldc + j] = sum
            }
        }
    }
}
