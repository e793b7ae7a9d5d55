/// A value's index in its graph.
public typealias ValueID = Int

/// How a loss compares a prediction with its target; each case knows what its prediction is.
public enum LossKind: Sendable, Hashable, CustomStringConvertible {
    /// Mean over all elements of (p - t)^2.
    case meanSquaredError
    /// Mean over all elements of |p - t|.
    case meanAbsoluteError
    /// Categorical cross-entropy of probabilities against class indices.
    case crossEntropy(labelSmoothing: Float)
    /// Binary cross-entropy of one probability against a 0/1 label.
    case binaryCrossEntropy
    /// Fused, stable: log-softmax of logits, then cross-entropy.
    case softmaxCrossEntropy(labelSmoothing: Float)
    /// Fused, stable: binary cross-entropy of sigmoid(logit).
    case sigmoidBinaryCrossEntropy

    public var description: String {
        switch self {
        case .meanSquaredError: return "mse"
        case .meanAbsoluteError: return "mae"
        case .crossEntropy(let s): return s == 0 ? "cross_entropy" : "cross_entropy(smoothing: \(s))"
        case .binaryCrossEntropy: return "binary_cross_entropy"
        case .softmaxCrossEntropy(let s): return s == 0 ? "softmax_cross_entropy" : "softmax_cross_entropy(smoothing: \(s))"
        case .sigmoidBinaryCrossEntropy: return "sigmoid_binary_cross_entropy"
        }
    }
}

/// A window sliding over `[batch, height, width, channels]`: a convolution kernel or a pooling window.
public struct WindowAttributes: Sendable, Hashable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var strideHeight: Int
    public var strideWidth: Int
    /// `same` padding (output = ceil(input / stride)); otherwise `valid`.
    public var samePadding: Bool

    public init(height: Int, width: Int, strideHeight: Int, strideWidth: Int, samePadding: Bool) {
        self.height = height
        self.width = width
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.samePadding = samePadding
    }

    /// The output length along one axis.
    public func output(_ length: Int, window: Int, stride: Int) -> Int {
        samePadding ? (length + stride - 1) / stride : (length - window) / stride + 1
    }

    /// `[batch, h, w, c]` -> `[batch, h', w', channels]`.
    public func outputShape(_ input: [Int], channels: Int) -> [Int] {
        [input[0], output(input[1], window: height, stride: strideHeight), output(input[2], window: width, stride: strideWidth), channels]
    }

    public var description: String {
        "\(height)x\(width) stride \(strideHeight)x\(strideWidth) \(samePadding ? "same" : "valid")"
    }
}

/// One operation of the graph IR. Cases carry their operands and attributes, so every pass is one
/// exhaustive `switch` (never `default:`): a new op does not compile until it has a shape rule, a
/// gradient and a kernel.
///
/// Shapes include the batch dimension, fixed per compiled plan.
public enum Op: Sendable, Hashable {
    // MARK: Sources
    /// The batch's features `[batch, ...example]`, written by the trainer before each step.
    case features
    /// The batch's class indices `[batch]` (stored as float).
    case labels
    /// The batch's regression targets `[batch, width]`.
    case targets
    /// A trainable tensor, stored outside the arena (`Graph.parameters[index]`).
    case parameter(index: Int)
    /// A fresh inverted-dropout mask each step: 0 with probability `rate`, else 1 / (1 - rate).
    case dropoutMask(rate: Float, stream: Int)

    // MARK: Forward
    /// `[batch, in] x [in, out] -> [batch, out]`
    case matmul(ValueID, ValueID)
    /// `[..., c] + [c]`
    case addBias(ValueID, bias: ValueID)
    /// Elementwise activation.
    case activation(ValueID, ActivationFunction)
    /// Fused `activation(addBias(x, bias))` (the fuse pass makes these).
    case biasActivation(ValueID, bias: ValueID, ActivationFunction)
    /// Softmax over the last axis.
    case softmax(ValueID)
    /// Elementwise product of two same-shaped values.
    case multiply(ValueID, ValueID)
    /// The same elements in a new shape; shares its operand's buffer.
    case reshape(ValueID)
    /// Class indices `[batch]` -> one-hot rows `[batch, classes]`.
    case oneHot(ValueID, classes: Int)
    /// The mean loss over the batch, a scalar `[1]`.
    /// `weights`, when present, is a `[classes]` table: each example's loss counts its class's
    /// weight, and the mean divides by the batch's sum of weights (PyTorch's `weight=`).
    case loss(LossKind, prediction: ValueID, target: ValueID, weights: ValueID? = nil)
    /// NHWC convolution: `[b, h, w, cin]` with weights `[kh, kw, cin, cout]` -> `[b, h', w', cout]`.
    /// With `keepsColumns` (training) its `im2col` matrix stays after its values (auxiliary) for the
    /// weight gradient, which then need not build it again.
    case conv2d(ValueID, weight: ValueID, WindowAttributes, keepsColumns: Bool)
    /// Max over windows; keeps the winning input index of each output after its values (auxiliary).
    case maxPool(ValueID, WindowAttributes)
    /// Mean over the real (unpadded) cells of each window.
    case averagePool(ValueID, WindowAttributes)
    /// Normalizes the last axis with batch statistics (training: updates the running statistics in
    /// `state` and keeps mean and 1/std after its values) or with the running statistics.
    /// `synchronized`: in data-parallel training, the statistics (and their gradients) are those
    /// of the whole batch, summed over the ranks, not of each rank's part.
    case batchNorm(ValueID, gamma: ValueID, beta: ValueID, runningMean: ValueID, runningVariance: ValueID,
                   momentum: Float, epsilon: Float, training: Bool, synchronized: Bool)
    /// A view of part of a value's buffer, from `start` floats in, in the node's shape.
    case slice(ValueID, start: Int)
    /// The operands side by side along `axis` (of the batched shape); the other axes agree.
    case concat([ValueID], axis: Int)
    /// Mean over every axis but the batch and the last: `[b, ..., c] -> [b, c]`.
    case globalAveragePool(ValueID)
    /// Maximum over every axis but the batch and the last; keeps each winner's position after its
    /// values (auxiliary).
    case globalMaxPool(ValueID)
    /// Normalizes the last axis of each row, then scales and offsets it: `(x - mean) / sqrt(var +
    /// epsilon) * gamma + beta`; keeps each row's mean and 1/std after its values (auxiliary).
    case layerNorm(ValueID, gamma: ValueID, beta: ValueID, epsilon: Float)

    // MARK: Backward
    /// d(loss)/d(prediction), shaped like the prediction.
    case lossGradient(LossKind, prediction: ValueID, target: ValueID, weights: ValueID? = nil)
    /// For `y = a x b`: `da = dy x b^T`.
    case matmulGradientLeft(dy: ValueID, right: ValueID)
    /// For `y = a x b`: `db = a^T x dy`.
    case matmulGradientRight(left: ValueID, dy: ValueID)
    /// Bias gradient: `dy` summed over every axis but the last.
    case sumToLastAxis(ValueID)
    /// Activation gradient from the activation's input `x` (gelu, silu).
    case activationGradient(input: ValueID, dy: ValueID, ActivationFunction)
    /// Activation gradient from the activation's output `y` (relu, sigmoid, tanh, leaky_relu, elu, linear).
    case activationGradientFromOutput(output: ValueID, dy: ValueID, ActivationFunction)
    /// For `y = softmax(x)`: `dx = y * (dy - sum(dy * y))` per row.
    case softmaxGradient(output: ValueID, dy: ValueID)
    /// Elementwise sum, for gradients that flow into one value from several uses.
    case add(ValueID, ValueID)
    /// For `y = conv2d(x, w)`: `dx = col2im(dy w^T)`, shaped like `input`.
    case conv2dInputGradient(dy: ValueID, weight: ValueID, input: ValueID, WindowAttributes)
    /// For `y = conv2d(x, w)`: `dw = im2col(x)^T dy`, shaped like the weight; reads the columns
    /// `forward` kept when it keeps them.
    case conv2dWeightGradient(input: ValueID, dy: ValueID, weight: ValueID, forward: ValueID, WindowAttributes)
    /// Routes each output's gradient to the input that won the max (read from `pooled`'s auxiliary).
    /// With `throughReLU` (made by the fuse pass when `input` is a relu's output) the gradient also
    /// goes back through that relu: a winner that is not positive passes nothing.
    case maxPoolGradient(dy: ValueID, pooled: ValueID, input: ValueID, WindowAttributes, throughReLU: Bool)
    /// Spreads each output's gradient evenly over its window's real cells.
    case averagePoolGradient(dy: ValueID, input: ValueID, WindowAttributes)
    /// `[dx | dgamma | dbeta]` packed: dx shaped like `input`, then the two `[c]` gradients (auxiliary),
    /// from the statistics `normalized` kept.
    case batchNormGradient(dy: ValueID, input: ValueID, normalized: ValueID, gamma: ValueID)
    /// For a concat: the part `start..<start + length` of `axis`, copied out of `dy`.
    case narrow(ValueID, axis: Int, start: Int, length: Int)
    /// Spreads each `[b, c]` gradient evenly over the positions it averaged, shaped like `input`.
    case globalAveragePoolGradient(dy: ValueID, input: ValueID)
    /// Routes each `[b, c]` gradient to the position that won (read from `pooled`'s auxiliary).
    case globalMaxPoolGradient(dy: ValueID, pooled: ValueID, input: ValueID)
    /// `[dx | dgamma | dbeta]` packed like `batchNormGradient`, from the row statistics `normalized` kept.
    case layerNormGradient(dy: ValueID, input: ValueID, normalized: ValueID, gamma: ValueID)
    /// Looks each id of `ids` (integers held as floats) up in `table` `[rows, dim]`: shaped
    /// `ids.shape + [dim]`. An id outside `0..<rows` gives zeros (the encoders never make one).
    case embedding(ids: ValueID, table: ValueID)
    /// The table's gradient: each row the sum of `dy`'s rows whose id it is, shaped like `table`.
    case embeddingGradient(dy: ValueID, ids: ValueID, table: ValueID)
    /// Each example's length from its token ids `[batch, steps]`: one past its last non-zero id
    /// (id 0 pads), `[batch]`.
    case sequenceLengths(ValueID)
    /// Lengths after a window of `stride` over `limit` output steps: `min(ceil(length / stride), limit)`.
    case strideLengths(ValueID, stride: Int, limit: Int)
    /// `x` `[batch, steps, ...]` with every step at or past its example's length zeroed (its own gradient rule).
    case maskSteps(ValueID, lengths: ValueID)
    /// Mean (or with `maximum`, maximum) of `x` `[batch, steps, channels]` over each example's real steps:
    /// `[batch, channels]`, zeros for an empty example. The maximum keeps its winning steps after its values.
    case sequencePool(ValueID, lengths: ValueID, maximum: Bool)
    /// Its gradient, shaped like `input`; `pooled` is the pooling node.
    case sequencePoolGradient(dy: ValueID, input: ValueID, pooled: ValueID, lengths: ValueID, maximum: Bool)
    /// Multi-head scaled dot-product self-attention over `qkv` `[batch, steps, 3 * dim]` (queries,
    /// keys, values side by side; head `h` owns features `h * dim / heads ..< (h + 1) * dim / heads`
    /// of each): `[batch, steps, dim]`. Keys past an example's length are ignored, and with
    /// `causal` the keys after the query's step; a query past the length gives zeros. Keeps the
    /// attention probabilities `[batch, heads, steps, steps]` after its values.
    case attention(ValueID, lengths: ValueID?, heads: Int, causal: Bool)
    /// Its gradient with respect to `qkv`, from the probabilities `forward` kept.
    case attentionGradient(dy: ValueID, qkv: ValueID, forward: ValueID, lengths: ValueID?, heads: Int, causal: Bool)
    /// A recurrent layer's direction over `x` `[batch, steps, inputs]`, stopping at each example's
    /// length (every step real without `lengths`). Weights `[inputs, gates * units]` and
    /// `[units, gates * units]`, biases `[gates * units]`. Keeps each step's gates and states
    /// (`RecurrentCell.recordWidth` per example and step) after its output.
    case recurrent(ValueID, weightInput: ValueID, weightHidden: ValueID, biasInput: ValueID, biasHidden: ValueID,
                   lengths: ValueID?, RecurrentAttributes)
    /// Back-propagation through time: `[dx | dweightInput | dweightHidden | dbiasInput | dbiasHidden]`,
    /// from the steps `forward` (the recurrent node) kept.
    case recurrentGradient(dy: ValueID, input: ValueID, forward: ValueID, weightInput: ValueID, weightHidden: ValueID,
                           lengths: ValueID?, RecurrentAttributes)

    /// The values this op reads.
    public var operands: [ValueID] {
        switch self {
        case .features, .labels, .targets, .parameter, .dropoutMask:
            return []
        case .activation(let x, _), .softmax(let x), .reshape(let x), .oneHot(let x, _), .sumToLastAxis(let x),
             .maxPool(let x, _), .averagePool(let x, _), .slice(let x, _), .globalAveragePool(let x), .globalMaxPool(let x),
             .narrow(let x, _, _, _):
            return [x]
        case .concat(let values, _):
            return values
        case .layerNorm(let x, let gamma, let beta, _):
            return [x, gamma, beta]
        case .globalAveragePoolGradient(let dy, let x):
            return [dy, x]
        case .globalMaxPoolGradient(let dy, let pooled, let x):
            return [dy, pooled, x]
        case .layerNormGradient(let dy, let x, let normalized, let gamma):
            return [dy, x, normalized, gamma]
        case .embedding(let ids, let table):
            return [ids, table]
        case .embeddingGradient(let dy, let ids, let table):
            return [dy, ids, table]
        case .sequenceLengths(let ids):
            return [ids]
        case .strideLengths(let lengths, _, _):
            return [lengths]
        case .maskSteps(let x, let lengths):
            return [x, lengths]
        case .sequencePool(let x, let lengths, _):
            return [x, lengths]
        case .attention(let x, let lengths, _, _):
            return [x] + (lengths.map { [$0] } ?? [])
        case .attentionGradient(let dy, let x, let forward, let lengths, _, _):
            return [dy, x, forward] + (lengths.map { [$0] } ?? [])
        case .sequencePoolGradient(let dy, let x, let pooled, let lengths, _):
            return [dy, x, pooled, lengths]
        case .recurrent(let x, let wi, let wh, let bi, let bh, let lengths, _):
            return [x, wi, wh, bi, bh] + (lengths.map { [$0] } ?? [])
        case .recurrentGradient(let dy, let x, let forward, let wi, let wh, let lengths, _):
            return [dy, x, forward, wi, wh] + (lengths.map { [$0] } ?? [])
        case .conv2d(let x, let w, _, _):
            return [x, w]
        case .batchNorm(let x, let gamma, let beta, let mean, let variance, _, _, _, _):
            return [x, gamma, beta, mean, variance]
        case .conv2dInputGradient(let dy, let w, let x, _):
            return [dy, w, x]
        case .conv2dWeightGradient(let x, let dy, let w, let forward, _):
            return [x, dy, w, forward]
        case .maxPoolGradient(let dy, let pooled, let x, _, _):
            return [dy, pooled, x]
        case .averagePoolGradient(let dy, let x, _):
            return [dy, x]
        case .batchNormGradient(let dy, let x, let normalized, let gamma):
            return [dy, x, normalized, gamma]
        case .matmul(let a, let b), .multiply(let a, let b), .add(let a, let b):
            return [a, b]
        case .addBias(let x, let bias), .biasActivation(let x, let bias, _):
            return [x, bias]
        case .loss(_, let prediction, let target, let weights), .lossGradient(_, let prediction, let target, let weights):
            return [prediction, target] + (weights.map { [$0] } ?? [])
        case .matmulGradientLeft(let dy, let right):
            return [dy, right]
        case .matmulGradientRight(let left, let dy):
            return [left, dy]
        case .activationGradient(let x, let dy, _):
            return [x, dy]
        case .activationGradientFromOutput(let y, let dy, _), .softmaxGradient(let y, let dy):
            return [y, dy]
        }
    }

    /// The same op reading other values (`map` applied to every operand).
    public func mapOperands(_ map: (ValueID) -> ValueID) -> Op {
        switch self {
        case .features, .labels, .targets, .parameter, .dropoutMask: return self
        case .matmul(let a, let b): return .matmul(map(a), map(b))
        case .addBias(let x, let bias): return .addBias(map(x), bias: map(bias))
        case .activation(let x, let f): return .activation(map(x), f)
        case .biasActivation(let x, let bias, let f): return .biasActivation(map(x), bias: map(bias), f)
        case .softmax(let x): return .softmax(map(x))
        case .multiply(let a, let b): return .multiply(map(a), map(b))
        case .reshape(let x): return .reshape(map(x))
        case .oneHot(let x, let classes): return .oneHot(map(x), classes: classes)
        case .loss(let kind, let p, let t, let w): return .loss(kind, prediction: map(p), target: map(t), weights: w.map(map))
        case .lossGradient(let kind, let p, let t, let w): return .lossGradient(kind, prediction: map(p), target: map(t), weights: w.map(map))
        case .matmulGradientLeft(let dy, let right): return .matmulGradientLeft(dy: map(dy), right: map(right))
        case .matmulGradientRight(let left, let dy): return .matmulGradientRight(left: map(left), dy: map(dy))
        case .sumToLastAxis(let x): return .sumToLastAxis(map(x))
        case .activationGradient(let x, let dy, let f): return .activationGradient(input: map(x), dy: map(dy), f)
        case .activationGradientFromOutput(let y, let dy, let f): return .activationGradientFromOutput(output: map(y), dy: map(dy), f)
        case .softmaxGradient(let y, let dy): return .softmaxGradient(output: map(y), dy: map(dy))
        case .add(let a, let b): return .add(map(a), map(b))
        case .conv2d(let x, let w, let window, let keeps): return .conv2d(map(x), weight: map(w), window, keepsColumns: keeps)
        case .maxPool(let x, let window): return .maxPool(map(x), window)
        case .averagePool(let x, let window): return .averagePool(map(x), window)
        case .batchNorm(let x, let gamma, let beta, let mean, let variance, let momentum, let epsilon, let training, let synchronized):
            return .batchNorm(map(x), gamma: map(gamma), beta: map(beta), runningMean: map(mean), runningVariance: map(variance),
                              momentum: momentum, epsilon: epsilon, training: training, synchronized: synchronized)
        case .slice(let x, let start): return .slice(map(x), start: start)
        case .conv2dInputGradient(let dy, let w, let x, let window):
            return .conv2dInputGradient(dy: map(dy), weight: map(w), input: map(x), window)
        case .conv2dWeightGradient(let x, let dy, let w, let forward, let window):
            return .conv2dWeightGradient(input: map(x), dy: map(dy), weight: map(w), forward: map(forward), window)
        case .maxPoolGradient(let dy, let pooled, let x, let window, let relu):
            return .maxPoolGradient(dy: map(dy), pooled: map(pooled), input: map(x), window, throughReLU: relu)
        case .averagePoolGradient(let dy, let x, let window): return .averagePoolGradient(dy: map(dy), input: map(x), window)
        case .batchNormGradient(let dy, let x, let normalized, let gamma):
            return .batchNormGradient(dy: map(dy), input: map(x), normalized: map(normalized), gamma: map(gamma))
        case .concat(let values, let axis): return .concat(values.map(map), axis: axis)
        case .globalAveragePool(let x): return .globalAveragePool(map(x))
        case .globalMaxPool(let x): return .globalMaxPool(map(x))
        case .layerNorm(let x, let gamma, let beta, let epsilon):
            return .layerNorm(map(x), gamma: map(gamma), beta: map(beta), epsilon: epsilon)
        case .narrow(let x, let axis, let start, let length): return .narrow(map(x), axis: axis, start: start, length: length)
        case .globalAveragePoolGradient(let dy, let x): return .globalAveragePoolGradient(dy: map(dy), input: map(x))
        case .embedding(let ids, let table): return .embedding(ids: map(ids), table: map(table))
        case .embeddingGradient(let dy, let ids, let table): return .embeddingGradient(dy: map(dy), ids: map(ids), table: map(table))
        case .sequenceLengths(let ids): return .sequenceLengths(map(ids))
        case .strideLengths(let lengths, let stride, let limit): return .strideLengths(map(lengths), stride: stride, limit: limit)
        case .maskSteps(let x, let lengths): return .maskSteps(map(x), lengths: map(lengths))
        case .sequencePool(let x, let lengths, let maximum): return .sequencePool(map(x), lengths: map(lengths), maximum: maximum)
        case .attention(let x, let lengths, let heads, let causal): return .attention(map(x), lengths: lengths.map(map), heads: heads, causal: causal)
        case .attentionGradient(let dy, let x, let forward, let lengths, let heads, let causal):
            return .attentionGradient(dy: map(dy), qkv: map(x), forward: map(forward), lengths: lengths.map(map), heads: heads, causal: causal)
        case .sequencePoolGradient(let dy, let x, let pooled, let lengths, let maximum):
            return .sequencePoolGradient(dy: map(dy), input: map(x), pooled: map(pooled), lengths: map(lengths), maximum: maximum)
        case .recurrent(let x, let wi, let wh, let bi, let bh, let lengths, let attributes):
            return .recurrent(map(x), weightInput: map(wi), weightHidden: map(wh), biasInput: map(bi), biasHidden: map(bh),
                              lengths: lengths.map(map), attributes)
        case .recurrentGradient(let dy, let x, let forward, let wi, let wh, let lengths, let attributes):
            return .recurrentGradient(dy: map(dy), input: map(x), forward: map(forward), weightInput: map(wi), weightHidden: map(wh),
                                      lengths: lengths.map(map), attributes)
        case .globalMaxPoolGradient(let dy, let pooled, let x):
            return .globalMaxPoolGradient(dy: map(dy), pooled: map(pooled), input: map(x))
        case .layerNormGradient(let dy, let x, let normalized, let gamma):
            return .layerNormGradient(dy: map(dy), input: map(x), normalized: map(normalized), gamma: map(gamma))
        }
    }

    /// Whether the op's result is its operand's buffer seen in another shape.
    public var isView: Bool {
        if case .reshape = self { return true }
        if case .slice = self { return true }
        return false
    }
}

extension ActivationKind {
    /// Whether the derivative can be computed from the activation's output alone.
    public var hasDerivativeFromOutput: Bool {
        switch self {
        case .linear, .relu, .sigmoid, .tanh, .leakyReLU, .elu: return true
        case .gelu, .silu: return false
        }
    }
}
