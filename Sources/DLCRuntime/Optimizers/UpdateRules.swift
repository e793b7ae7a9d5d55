import DLCGraph
import Foundation

/// The element-wise update rules of PyTorch 2.x's `_single_tensor_sgd`, `_single_tensor_adam` and
/// `_single_tensor_rmsprop`, operation by operation.
///
/// PyTorch receives hyperparameters as Python doubles, derives the per-step scalars (`1 - beta`,
/// bias corrections, step sizes) in double, and casts each scalar to float32 where it meets a tensor;
/// the element-wise math then runs in float32. Each rule's initializer does the double part once per
/// step and `apply` runs the float32 loop over one tensor, with no allocation.
///
/// Rounding follows PyTorch's CPU kernels on FMA hardware (AVX2, AVX-512, NEON), checked against
/// PyTorch 2.x bit for bit: `x.add(y, alpha: a)` is fused(a, y, x), `x.addcmul(s, t, value: v)` is
/// fused(v * s, t, x), `lerp` is fused(w, e - s, s) (fused(w - 1, e - s, e) for w >= 0.5), while
/// `x.addcdiv(s, t, value: v)` is x + (v * s) / t and `mul`, `div`, `sqrt` round on their own.
enum UpdateRules {
    /// The configuration's hyperparameters as the Python doubles PyTorch would get for the same spec.
    ///
    /// A spec's `0.999` is stored as the nearest Float (0.99900001...); PyTorch would compute
    /// `1 - 0.999` from the double 0.999. Float's shortest description recovers the written decimal,
    /// so `1 - beta2` and the bias corrections match PyTorch to double precision.
    struct Hyperparameters {
        var momentum: Double
        var beta1: Double
        var beta2: Double
        var epsilon: Double
        var weightDecay: Double
        var rho: Double
        var nesterov: Bool

        init(_ configuration: OptimizerConfiguration) {
            momentum = decimalValue(of: configuration.momentum)
            beta1 = decimalValue(of: configuration.beta1)
            beta2 = decimalValue(of: configuration.beta2)
            epsilon = decimalValue(of: configuration.epsilon)
            weightDecay = decimalValue(of: configuration.weightDecay)
            rho = decimalValue(of: configuration.rho)
            nesterov = configuration.nesterov
        }
    }

    /// `torch.optim.SGD` with dampening 0 (`grad.add(p, alpha: wd)`, `buf.mul_(momentum).add_(g)`, `p.add_(d, alpha: -lr)`):
    /// g = grad + wd * p; buf = g on the first step, else buf = momentum * buf + g;
    /// d = nesterov ? g + momentum * buf : buf (d = g without momentum); p = p - lr * d.
    struct SGD {
        let weightDecay: Float
        let momentum: Float
        let nesterov: Bool
        let negativeRate: Float
        let isFirstStep: Bool

        init(_ scalars: Hyperparameters, learningRate: Double, isFirstStep: Bool) {
            weightDecay = Float(scalars.weightDecay)
            momentum = Float(scalars.momentum)
            nesterov = scalars.nesterov
            negativeRate = Float(-learningRate)
            self.isFirstStep = isFirstStep
        }

        /// `momentum` is the buffer when the configuration has momentum, else nil.
        func apply(_ p: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>,
                   momentum buffer: UnsafeMutablePointer<Float>?, count: Int) {
            let wd = weightDecay, mu = momentum, alpha = negativeRate
            specialized(wd != 0) { decays in
                guard let buf = buffer else {
                    for j in 0..<count {
                        let g = decays ? fused(wd, p[j], grad[j]) : grad[j]
                        p[j] = fused(alpha, g, p[j])
                    }
                    return
                }
                specialized(isFirstStep) { isFirstStep in
                    specialized(nesterov) { nesterov in
                        for j in 0..<count {
                            let g = decays ? fused(wd, p[j], grad[j]) : grad[j]
                            let b = isFirstStep ? g : buf[j] * mu + g
                            buf[j] = b
                            let d = nesterov ? fused(mu, b, g) : b
                            p[j] = fused(alpha, d, p[j])
                        }
                    }
                }
            }
        }
    }

    /// `torch.optim.Adam` (decoupled: `AdamW`), amsgrad off, at 1-based step t:
    /// AdamW first decays p = p * (1 - lr * wd); Adam instead uses g = grad + wd * p.
    /// m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) * g * g;
    /// denom = sqrt(v) / sqrt(1 - beta2^t) + eps; p = p - lr / (1 - beta1^t) * m / denom.
    struct Adam {
        let decay: Float
        let weightDecay: Float
        let averageWeight: Float
        let beta2: Float
        let oneMinusBeta2: Float
        let correction2Root: Float
        let epsilon: Float
        let negativeStepSize: Float

        init(_ scalars: Hyperparameters, learningRate: Double, step: Int, decoupled: Bool) {
            let t = Double(step)
            decay = decoupled ? Float(1 - learningRate * scalars.weightDecay) : 1
            weightDecay = decoupled ? 0 : Float(scalars.weightDecay)
            averageWeight = Float(1 - scalars.beta1)
            beta2 = Float(scalars.beta2)
            oneMinusBeta2 = Float(1 - scalars.beta2)
            correction2Root = Float((1 - pow(scalars.beta2, t)).squareRoot())
            epsilon = Float(scalars.epsilon)
            negativeStepSize = Float(-(learningRate / (1 - pow(scalars.beta1, t))))
        }

        func apply(_ p: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>,
                   expAvg m: UnsafeMutablePointer<Float>, expAvgSquare v: UnsafeMutablePointer<Float>, count: Int) {
            let wd = weightDecay, w = averageWeight, b2 = beta2, c2 = oneMinusBeta2
            let root = correction2Root, eps = epsilon, alpha = negativeStepSize
            let d = decay
            specialized(d != 1) { decoupled in
                specialized(wd != 0) { decays in
                    for j in 0..<count {
                        let pj = decoupled ? p[j] * d : p[j]
                        let g = decays ? fused(wd, pj, grad[j]) : grad[j]
                        let mj = lerp(m[j], g, weight: w)
                        let vj = fused(c2 * g, g, v[j] * b2)
                        m[j] = mj
                        v[j] = vj
                        let denominator = squareRoot(vj) / root + eps
                        p[j] = pj + (alpha * mj) / denominator
                    }
                }
            }
        }
    }

    /// `torch.optim.RMSprop` with alpha = rho:
    /// g = grad + wd * p; sq = alpha * sq + (1 - alpha) * g * g;
    /// centered: ga = lerp(ga, g, 1 - alpha), avg = sqrt(sq - ga * ga) + eps; else avg = sqrt(sq) + eps;
    /// momentum > 0: buf = momentum * buf + g / avg, p = p - lr * buf; else p = p - lr * g / avg.
    struct RMSprop {
        let weightDecay: Float
        let alpha: Float
        let oneMinusAlpha: Float
        let epsilon: Float
        let momentum: Float
        let negativeRate: Float

        init(_ scalars: Hyperparameters, learningRate: Double) {
            weightDecay = Float(scalars.weightDecay)
            alpha = Float(scalars.rho)
            oneMinusAlpha = Float(1 - scalars.rho)
            epsilon = Float(scalars.epsilon)
            momentum = Float(scalars.momentum)
            negativeRate = Float(-learningRate)
        }

        /// `momentum` and `gradAvg` are nil when the configuration has no momentum / is not centered.
        func apply(_ p: UnsafeMutablePointer<Float>, _ grad: UnsafeMutablePointer<Float>,
                   squareAvg sq: UnsafeMutablePointer<Float>, momentum buffer: UnsafeMutablePointer<Float>?,
                   gradAvg: UnsafeMutablePointer<Float>?, count: Int) {
            let wd = weightDecay, a = alpha, c = oneMinusAlpha, eps = epsilon, mu = momentum, rate = negativeRate
            // Unused stand-ins when absent, so that each specialized loop reads plain pointers.
            let ga = gradAvg ?? sq, buf = buffer ?? sq
            specialized(wd != 0) { decays in
                specialized(gradAvg != nil) { centered in
                    specialized(buffer != nil) { hasMomentum in
                        for j in 0..<count {
                            let g = decays ? fused(wd, p[j], grad[j]) : grad[j]
                            let s = fused(c * g, g, sq[j] * a)
                            sq[j] = s
                            var avg: Float
                            if centered {
                                let mean = lerp(ga[j], g, weight: c)
                                ga[j] = mean
                                avg = squareRoot(fused(-mean, mean, s))
                            } else {
                                avg = squareRoot(s)
                            }
                            avg = avg + eps
                            if hasMomentum {
                                let b = buf[j] * mu + g / avg
                                buf[j] = b
                                p[j] = fused(rate, b, p[j])
                            } else {
                                p[j] = p[j] + (rate * g) / avg
                            }
                        }
                    }
                }
            }
        }
    }
}

/// PyTorch's `lerp(start, end, weight)`: start + weight * (end - start), computed from the end for weight >= 0.5.
@inline(__always)
fileprivate func lerp(_ start: Float, _ end: Float, weight: Float) -> Float {
    weight < 0.5 ? fused(weight, end - start, start) : fused(weight - 1, end - start, end)
}

/// IEEE sqrt(x), NaN below zero, in a form the loop vectorizer accepts.
///
/// `Float.squareRoot()` lowers to `sqrtss` with a `sqrtf` call for negative inputs (to set errno), which
/// keeps loops scalar; once the argument is provably non-negative or NaN, LLVM emits `sqrtps`.
@inline(__always)
fileprivate func squareRoot(_ x: Float) -> Float {
    (x >= 0 ? x : .nan).squareRoot()
}

/// Calls `body` with `flag` as a constant, so that each inlined loop is compiled once per value, branch-free.
@inline(__always)
fileprivate func specialized(_ flag: Bool, _ body: (Bool) -> Void) {
    if flag { body(true) } else { body(false) }
}

/// a * b + c with one rounding, like an FMA instruction.
///
/// The product of two Floats is exact in Double, so only the sum rounds before the final Float
/// rounding; that double rounding differs from a true FMA in about 1 of 2^29 cases. Unlike
/// `Float.addingProduct` it vectorizes without FMA in the target's baseline instruction set.
@inline(__always)
fileprivate func fused(_ a: Float, _ b: Float, _ c: Float) -> Float {
    Float(Double(a) * Double(b) + Double(c))
}

/// The double a Python literal would give for the decimal this Float was written as (its shortest description).
fileprivate func decimalValue(of value: Float) -> Double {
    guard value.isFinite, let decimal = Double(value.description), Float(decimal) == value else {
        return Double(value)
    }
    return decimal
}
