/// Multi-head scaled dot-product self-attention over `qkv` `[batch, steps, 3 * dimension]`, as
/// PyTorch's `nn.MultiheadAttention` computes it after its input projection, with a key padding
/// mask from the lengths and an optional causal mask.
///
/// Per example and head, only the example's real steps take part: the products run over
/// `length x length` scores, so padding costs nothing and changes nothing; a query past the
/// length outputs zeros (and a masked probability is exactly 0).
public struct AttentionKernel {
    public typealias Pointer = UnsafeMutablePointer<Float>

    public var qkv: Pointer
    public var lengths: Pointer?
    /// `[batch, steps, dimension]`.
    public var output: Pointer
    /// `[batch, heads, steps, steps]`.
    public var probabilities: Pointer
    /// `steps * steps` floats (the backward pass's score gradients).
    public var scratch: Pointer
    public var batch: Int
    public var steps: Int
    public var dimension: Int
    public var heads: Int
    public var causal: Bool

    public init(qkv: Pointer, lengths: Pointer?, output: Pointer, probabilities: Pointer, scratch: Pointer, batch: Int, steps: Int,
                dimension: Int, heads: Int, causal: Bool) {
        self.qkv = qkv
        self.lengths = lengths
        self.output = output
        self.probabilities = probabilities
        self.scratch = scratch
        self.batch = batch
        self.steps = steps
        self.dimension = dimension
        self.heads = heads
        self.causal = causal
    }

    var headWidth: Int { dimension / heads }
    var scale: Float { 1 / Float(headWidth).squareRoot() }

    func length(_ b: Int) -> Int { lengths.map { Kernels.stepCount($0[b], limit: steps) } ?? steps }

    /// Queries, keys and values of example `b`, head `h`: rows of `3 * dimension` floats.
    func parts(_ b: Int, _ h: Int) -> (queries: Pointer, keys: Pointer, values: Pointer) {
        let base = qkv + b * steps * 3 * dimension + h * headWidth
        return (base, base + dimension, base + 2 * dimension)
    }

    func probabilities(_ b: Int, _ h: Int) -> Pointer { probabilities + (b * heads + h) * steps * steps }

    public func forward() {
        let row = 3 * dimension, width = headWidth
        for b in 0..<batch {
            let length = length(b)
            let out = output + b * steps * dimension
            out.update(repeating: 0, count: steps * dimension)
            for h in 0..<heads {
                let p = probabilities(b, h)
                p.update(repeating: 0, count: steps * steps)
                guard length > 0 else { continue }
                let (queries, keys, values) = parts(b, h)
                Kernels.stridedMatmul(queries, lda: row, keys, ldb: row, p, ldc: steps, m: length, n: length, k: width, transposeB: true)
                for i in 0..<length {
                    let scores = p + i * steps
                    let allowed = causal ? i + 1 : length
                    var largest = -Float.infinity
                    for j in 0..<allowed { largest = max(largest, scores[j] * scale) }
                    var sum: Float = 0
                    for j in 0..<allowed {
                        let e = Kernels.fastExp(scores[j] * scale - largest)
                        scores[j] = e
                        sum += e
                    }
                    let inverse = 1 / sum
                    for j in 0..<allowed { scores[j] *= inverse }
                    for j in allowed..<length { scores[j] = 0 }
                }
                Kernels.stridedMatmul(p, lda: steps, values, ldb: row, out + h * width, ldc: dimension, m: length, n: width, k: length)
            }
        }
    }

    /// `dqkv` `[batch, steps, 3 * dimension]` from the output's gradient `dy`.
    public func backward(dy: UnsafePointer<Float>, dqkv: Pointer) {
        let row = 3 * dimension, width = headWidth
        dqkv.update(repeating: 0, count: batch * steps * row)
        for b in 0..<batch {
            let length = length(b)
            guard length > 0 else { continue }
            for h in 0..<heads {
                let p = probabilities(b, h)
                let (queries, keys, values) = parts(b, h)
                let dOutput = dy + b * steps * dimension + h * width
                let base = dqkv + b * steps * row + h * width
                let (dQueries, dKeys, dValues) = (base, base + dimension, base + 2 * dimension)
                // dV = P^T dO; dP = dO V^T
                Kernels.stridedMatmul(p, lda: steps, dOutput, ldb: dimension, dValues, ldc: row, m: length, n: width, k: length, transposeA: true)
                let dScores = scratch
                Kernels.stridedMatmul(dOutput, lda: dimension, values, ldb: row, dScores, ldc: steps, m: length, n: length, k: width,
                                      transposeB: true)
                // dS = P (dP - sum(dP P)) / sqrt(d), per query row
                for i in 0..<length {
                    let probability = p + i * steps, gradient = dScores + i * steps
                    var dot: Float = 0
                    for j in 0..<length { dot += probability[j] * gradient[j] }
                    for j in 0..<length { gradient[j] = probability[j] * (gradient[j] - dot) * scale }
                }
                // dQ = dS K; dK = dS^T Q
                Kernels.stridedMatmul(dScores, lda: steps, keys, ldb: row, dQueries, ldc: row, m: length, n: width, k: length)
                Kernels.stridedMatmul(dScores, lda: steps, queries, ldb: row, dKeys, ldc: row, m: length, n: width, k: length, transposeA: true)
            }
        }
    }
}
