#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The float32 CPU kernels of the training runtime: stateless functions on raw pointers.
///
/// Conventions shared by every kernel:
/// - Tensors are dense and row-major; a `[rows, columns]` matrix stores element `(r, c)` at
///   `r * columns + c`.
/// - Kernels never allocate: callers preallocate every input, output and scratch buffer.
/// - A backward kernel with `accumulate: true` adds into its output (`dx += ...`), so gradients
///   of a value used twice sum up; with `accumulate: false` it overwrites.
/// - Losses return the mean over the batch, summed in `Double`, and write the gradient of that
///   mean (times `scale`) into `gradient` when it is not `nil`.
/// - Reductions that return a number sum in `Double`; elementwise loops stay in `Float` so that
///   the optimizer vectorizes them.
public enum Kernels {}

// libm through thin wrappers, so that kernel files read the same on Linux and Darwin. The
// per-element activation math uses the vectorizable functions in Kernels+FastMath.swift.
@inline(__always) func expFloat(_ x: Float) -> Float { expf(x) }
@inline(__always) func logFloat(_ x: Float) -> Float { logf(x) }
@inline(__always) func log1pFloat(_ x: Float) -> Float { log1pf(x) }
@inline(__always) func logDouble(_ x: Double) -> Double { log(x) }
@inline(__always) func log1pDouble(_ x: Double) -> Double { log1p(x) }
