import CDNNL
import Foundation

/// A 2-D convolution run by oneDNN, with NHWC activations and dlc's `[kh, kw, cin, cout]` weights.
///
/// oneDNN picks the kernels made for this CPU (direct and "brgemm" convolutions in AVX2 or
/// AVX-512) in place of im2col + OpenBLAS. Measured on this repository's 2-core machine (AMD
/// EPYC, AVX-512), a 3x3 convolution of 64 images of 14 x 14 x 16 to 16 channels: forward 163 us
/// against 800 with im2col + OpenBLAS, input gradient 138 against 565, weight gradient 120
/// against 690 (see BENCHMARKS.md). `DLC_CONVOLUTION=im2col` keeps the runtime's own kernels.
public final class DNNLConvolution: @unchecked Sendable {
    public struct Passes: OptionSet, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let forward = Passes(rawValue: Int32(DLC_DNNL_FORWARD))
        public static let inputGradient = Passes(rawValue: Int32(DLC_DNNL_BACKWARD_DATA))
        public static let weightGradient = Passes(rawValue: Int32(DLC_DNNL_BACKWARD_WEIGHTS))
    }

    /// Whether convolutions use oneDNN: unless `DLC_CONVOLUTION=im2col`.
    public static let isEnabled = ProcessInfo.processInfo.environment["DLC_CONVOLUTION"] != "im2col"

    /// Whether convolutions will run in oneDNN: enabled, and `libdnnl.so.2` loads (the first call loads it).
    public static var isAvailable: Bool { isEnabled && dlc_dnnl_is_available() != 0 }

    private let handle: OpaquePointer
    public let geometry: ConvolutionGeometry

    /// The OpenMP threads it runs on, fixed when it is made.
    public let threads: Int

    /// nil when oneDNN is not installed or cannot run one of `passes` for this geometry. Below
    /// `Parallel.convolutionThreshold` multiply-adds it runs on one thread whatever `threads` says:
    /// waking a second costs more than it saves and leaves it spinning beside the BLAS threads that
    /// run next (digits-cnn's 295k, on 2 threads: its dense products after the convolution took
    /// 37 us instead of 8).
    public init?(_ geometry: ConvolutionGeometry, passes: Passes, threads: Int) {
        let threads = geometry.outputPixels * geometry.patchSize * geometry.outChannels < Parallel.convolutionThreshold ? 1 : max(1, threads)
        guard Self.isEnabled, geometry.batch > 0, geometry.outHeight > 0, geometry.outWidth > 0,
              let handle = dlc_dnnl_convolution_create(
                  Int32(geometry.batch), Int32(geometry.inHeight), Int32(geometry.inWidth), Int32(geometry.inChannels),
                  Int32(geometry.outChannels), Int32(geometry.kernelHeight), Int32(geometry.kernelWidth),
                  Int32(geometry.strideHeight), Int32(geometry.strideWidth), Int32(geometry.padTop), Int32(geometry.padLeft),
                  Int32(geometry.outHeight), Int32(geometry.outWidth), 0, passes.rawValue, Int32(threads)) else { return nil }
        self.handle = handle
        self.geometry = geometry
        self.threads = threads
    }

    deinit {
        dlc_dnnl_convolution_destroy(handle)
    }

    /// `y = conv(x, w)`: `[b, h, w, cin] -> [b, h', w', cout]`.
    public func forward(x: UnsafePointer<Float>, weights: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        check(dlc_dnnl_convolution_forward(handle, x, weights, nil, y, Int32(self.threads)), "forward")
    }

    /// `dx = col2im(dy w^T)`, shaped like the input.
    public func inputGradient(dy: UnsafePointer<Float>, weights: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        check(dlc_dnnl_convolution_backward_data(handle, dy, weights, dx, Int32(self.threads)), "input gradient")
    }

    /// `dw = im2col(x)^T dy`, shaped like the weights.
    public func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>) {
        check(dlc_dnnl_convolution_backward_weights(handle, x, dy, dw, Int32(self.threads)), "weight gradient")
    }

    /// The kernels oneDNN chose for a pass, such as `brgconv:avx512_core`.
    public func implementation(_ pass: Passes) -> String {
        String(cString: dlc_dnnl_convolution_implementation(handle, pass.rawValue))
    }

    private func check(_ status: Int32, _ pass: String) {
        if status != 0 { preconditionFailure("internal: oneDNN's convolution \(pass) failed for \(geometry)") }
    }
}
