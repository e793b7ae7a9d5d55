/// Everything a convolution or pooling kernel needs about its shapes: NHWC sizes, the window,
/// strides and the padding before the first row and column.
///
/// Activations are `[batch, height, width, channels]` row-major, convolution weights
/// `[kernelHeight, kernelWidth, inChannels, outChannels]` (HWIO). Output pixel `(oh, ow)` reads
/// input rows `oh * strideHeight - padTop + i` for `i` in `0..<kernelHeight` (columns likewise);
/// rows and columns outside the input are padding: zeros for convolutions, skipped by pooling.
/// Padding after the last row or column is implied by the output size.
public struct ConvolutionGeometry: Sendable, Hashable {
    public var batch: Int
    public var inHeight: Int
    public var inWidth: Int
    public var inChannels: Int
    public var outHeight: Int
    public var outWidth: Int
    /// Filters of a convolution; equal to `inChannels` for pooling.
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int

    /// The geometry of a `same` or `valid` convolution or pooling window.
    ///
    /// `same`: `out = ceil(in / stride)`, with TensorFlow's split of the padding:
    /// `padTotal = max((out - 1) * stride + kernel - in, 0)`, `padTop = padTotal / 2`, the rest
    /// at the bottom (likewise left and right). `valid`: no padding, `out = (in - kernel) / stride + 1`.
    public init(
        batch: Int, inHeight: Int, inWidth: Int, inChannels: Int, outChannels: Int,
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, samePadding: Bool
    ) {
        func split(_ size: Int, _ kernel: Int, _ stride: Int) -> (out: Int, padBefore: Int) {
            if samePadding {
                let out = (size + stride - 1) / stride
                return (out, max((out - 1) * stride + kernel - size, 0) / 2)
            }
            return (size >= kernel ? (size - kernel) / stride + 1 : 0, 0)
        }
        let rows = split(inHeight, kernelHeight, strideHeight)
        let columns = split(inWidth, kernelWidth, strideWidth)
        self.init(batch: batch, inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
                  outHeight: rows.out, outWidth: columns.out, outChannels: outChannels,
                  kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                  strideHeight: strideHeight, strideWidth: strideWidth,
                  padTop: rows.padBefore, padLeft: columns.padBefore)
    }

    /// A geometry with explicit padding on each side (PyTorch's symmetric `padding=p` is
    /// `padTop = padBottom = p`): `out = (in + padBefore + padAfter - kernel) / stride + 1`.
    public init(
        batch: Int, inHeight: Int, inWidth: Int, inChannels: Int, outChannels: Int,
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
        padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    ) {
        let paddedHeight = inHeight + padTop + padBottom
        let paddedWidth = inWidth + padLeft + padRight
        self.init(batch: batch, inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
                  outHeight: paddedHeight >= kernelHeight ? (paddedHeight - kernelHeight) / strideHeight + 1 : 0,
                  outWidth: paddedWidth >= kernelWidth ? (paddedWidth - kernelWidth) / strideWidth + 1 : 0,
                  outChannels: outChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                  strideHeight: strideHeight, strideWidth: strideWidth, padTop: padTop, padLeft: padLeft)
    }

    /// The memberwise form: every size given.
    public init(
        batch: Int, inHeight: Int, inWidth: Int, inChannels: Int,
        outHeight: Int, outWidth: Int, outChannels: Int,
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
        padTop: Int, padLeft: Int
    ) {
        if kernelHeight < 1 || kernelWidth < 1 || strideHeight < 1 || strideWidth < 1 {
            preconditionFailure("internal: convolution kernel \(kernelHeight)x\(kernelWidth) stride \(strideHeight)x\(strideWidth)")
        }
        self.batch = batch
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.inChannels = inChannels
        self.outHeight = outHeight
        self.outWidth = outWidth
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padTop = padTop
        self.padLeft = padLeft
    }

    /// Floats of the input, `batch * inHeight * inWidth * inChannels`.
    public var inputSize: Int { batch * inHeight * inWidth * inChannels }

    /// Floats of the output, `batch * outHeight * outWidth * outChannels`.
    public var outputSize: Int { batch * outHeight * outWidth * outChannels }

    /// Floats of the HWIO weights, `kernelHeight * kernelWidth * inChannels * outChannels`.
    public var weightsSize: Int { patchSize * outChannels }

    /// Output pixels of the whole batch: the rows of the im2col matrix, `batch * outHeight * outWidth`.
    public var outputPixels: Int { batch * outHeight * outWidth }

    /// Inputs one output pixel reads: the columns of the im2col matrix, `kernelHeight * kernelWidth * inChannels`.
    public var patchSize: Int { kernelHeight * kernelWidth * inChannels }

    /// Whether the convolution is a plain matrix product with no im2col: a 1x1 kernel, stride
    /// 1, no padding, so the input `[batch * height * width, inChannels]` is the im2col matrix.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padLeft == 0 && outHeight == inHeight && outWidth == inWidth
    }

    /// Floats of the im2col scratch the convolution kernels need, `outputPixels * patchSize`;
    /// 0 for a pointwise convolution, which needs none.
    public var columnsSize: Int { isPointwise ? 0 : outputPixels * patchSize }
}
