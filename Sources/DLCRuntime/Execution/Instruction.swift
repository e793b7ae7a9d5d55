import DLCGraph

/// One node of a planned graph with its buffers resolved to pointers, ready to run.
struct Instruction {
    typealias Pointer = UnsafeMutablePointer<Float>

    enum Kind {
        /// Written by the trainer (features, labels, targets), or a parameter or view: nothing to run.
        case none
        case dropoutMask(output: Pointer, count: Int, rate: Float, stream: Int)
        case matmul(a: Pointer, b: Pointer, c: Pointer, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool)
        case addBias(x: Pointer, bias: Pointer, y: Pointer, rows: Int, columns: Int)
        case activation(ActivationFunction, x: Pointer, y: Pointer, count: Int)
        case biasActivation(ActivationFunction, x: Pointer, bias: Pointer, y: Pointer, rows: Int, columns: Int)
        case softmax(x: Pointer, y: Pointer, rows: Int, columns: Int)
        case multiply(a: Pointer, b: Pointer, y: Pointer, count: Int)
        case add(a: Pointer, b: Pointer, y: Pointer, count: Int)
        case oneHot(labels: Pointer, y: Pointer, rows: Int, classes: Int)
        /// The mean loss; `gradient` is set when the next node is this loss's gradient (computed in the same pass).
        case loss(LossKind, prediction: Pointer, target: Pointer, weights: Pointer?, output: Pointer, rows: Int, columns: Int,
                  gradient: Pointer?, scratch: Pointer)
        case lossGradient(LossKind, prediction: Pointer, target: Pointer, weights: Pointer?, gradient: Pointer, rows: Int, columns: Int,
                          scratch: Pointer)
        case sumToLastAxis(dy: Pointer, db: Pointer, rows: Int, columns: Int)
        case activationGradient(ActivationFunction, x: Pointer, y: Pointer, dy: Pointer, dx: Pointer, count: Int)
        case softmaxGradient(y: Pointer, dy: Pointer, dx: Pointer, rows: Int, columns: Int)
        case conv2d(x: Pointer, w: Pointer, y: Pointer, ConvolutionGeometry, columns: Pointer)
        /// A convolution whose only reader adds a bias and activates: the product lands on the bias
        /// (one pass fewer over the output), then the activation runs in place.
        case conv2dBiasActivation(x: Pointer, w: Pointer, bias: Pointer, y: Pointer, ActivationFunction, ConvolutionGeometry, columns: Pointer)
        case conv2dInputGradient(dy: Pointer, w: Pointer, dx: Pointer, ConvolutionGeometry, columns: Pointer)
        case conv2dWeightGradient(x: Pointer, dy: Pointer, dw: Pointer, ConvolutionGeometry, columns: Pointer, columnsHoldInput: Bool)
        /// The winners' indices live as Int32 bits right after `y` (the node's auxiliary floats).
        case maxPool(x: Pointer, y: Pointer, argmax: UnsafeMutablePointer<Int32>, ConvolutionGeometry)
        case maxPoolGradient(dy: Pointer, argmax: UnsafeMutablePointer<Int32>, dx: Pointer, ConvolutionGeometry, throughReLUOf: Pointer?)
        case averagePool(x: Pointer, y: Pointer, ConvolutionGeometry)
        case averagePoolGradient(dy: Pointer, dx: Pointer, ConvolutionGeometry)
        /// `saved` holds the batch mean then 1/std, `channels` each (the node's auxiliary floats).
        /// `synchronized`: the statistics are summed over the ranks of a data-parallel run.
        case batchNormTraining(x: Pointer, y: Pointer, gamma: Pointer, beta: Pointer, mean: Pointer, variance: Pointer,
                               saved: Pointer, rows: Int, channels: Int, momentum: Float, epsilon: Float, synchronized: Bool)
        case batchNormInference(x: Pointer, y: Pointer, gamma: Pointer, beta: Pointer, mean: Pointer, variance: Pointer,
                                rows: Int, channels: Int, epsilon: Float)
        /// Writes dx, then dgamma and dbeta right after it.
        case batchNormGradient(dy: Pointer, x: Pointer, gamma: Pointer, saved: Pointer, dx: Pointer, rows: Int, channels: Int,
                               synchronized: Bool)
        /// A convolution's passes run by oneDNN (`DNNLConvolution`).
        case libraryConvolution(DNNLConvolution, x: Pointer, w: Pointer, y: Pointer)
        case libraryConvolutionInputGradient(DNNLConvolution, dy: Pointer, w: Pointer, dx: Pointer)
        case libraryConvolutionWeightGradient(DNNLConvolution, x: Pointer, dy: Pointer, dw: Pointer)
        /// Each part seen as `[outer, widths[i]]`, side by side in `y`.
        case concat(parts: [Pointer], widths: [Int], y: Pointer, outer: Int)
        /// `y[row] = dy[row, start ..< start + width]` over `[outer, total]`.
        case narrow(dy: Pointer, y: Pointer, outer: Int, total: Int, start: Int, width: Int)
        case globalAveragePool(x: Pointer, y: Pointer, batch: Int, positions: Int, channels: Int)
        case globalAveragePoolGradient(dy: Pointer, dx: Pointer, batch: Int, positions: Int, channels: Int)
        /// The winners' positions live as Int32 bits right after `y` (the node's auxiliary floats).
        case globalMaxPool(x: Pointer, y: Pointer, argmax: UnsafeMutablePointer<Int32>, batch: Int, positions: Int, channels: Int)
        case globalMaxPoolGradient(dy: Pointer, argmax: UnsafeMutablePointer<Int32>, dx: Pointer, batch: Int, positions: Int, channels: Int)
        /// `saved` holds each row's mean, then each row's 1/std (the node's auxiliary floats).
        case layerNorm(x: Pointer, y: Pointer, gamma: Pointer, beta: Pointer, saved: Pointer, rows: Int, features: Int, epsilon: Float)
        /// Writes dx, then dgamma and dbeta right after it.
        case layerNormGradient(dy: Pointer, x: Pointer, gamma: Pointer, saved: Pointer, dx: Pointer, rows: Int, features: Int)
        /// `count` ids looked up in a `[rows, dimension]` table.
        case embedding(ids: Pointer, table: Pointer, y: Pointer, count: Int, rows: Int, dimension: Int)
        /// The table's gradient from `count` rows of `dy`.
        case embeddingGradient(dy: Pointer, ids: Pointer, dtable: Pointer, count: Int, rows: Int, dimension: Int)
        case sequenceLengths(ids: Pointer, lengths: Pointer, batch: Int, steps: Int)
        case strideLengths(lengths: Pointer, y: Pointer, batch: Int, stride: Int, limit: Int)
        /// `x` seen as `[batch, steps, inner]`.
        case maskSteps(x: Pointer, lengths: Pointer, y: Pointer, batch: Int, steps: Int, inner: Int)
        /// The winners' steps (maximum) live as Int32 bits right after `y`.
        case sequencePool(x: Pointer, lengths: Pointer, y: Pointer, argmax: UnsafeMutablePointer<Int32>?, batch: Int, steps: Int, channels: Int)
        case sequencePoolGradient(dy: Pointer, lengths: Pointer, argmax: UnsafeMutablePointer<Int32>?, dx: Pointer, batch: Int, steps: Int,
                                  channels: Int)
        case attention(AttentionKernel)
        case attentionGradient(AttentionKernel, dy: Pointer, dqkv: Pointer)
        case recurrent(RecurrentKernel)
        case recurrentGradient(RecurrentGradientKernel)
    }

    var kind: Kind
    /// The node's index, label and op name, for per-op timing.
    var node: Int
    var name: String
}
