import DLCGraph

extension Kernels {
    /// Applies an elementwise activation: `y[i] = f(x[i])` for `count` elements (any shape).
    ///
    /// `y` may alias `x` (in place). `parameter` is leaky_relu's negative slope or elu's alpha
    /// and is ignored by the other kinds.
    /// - linear: `x`; relu: `max(x, 0)`; leaky_relu: `x > 0 ? x : slope * x`;
    /// - elu: `x > 0 ? x : alpha * (exp(x) - 1)`; sigmoid: `1 / (1 + exp(-x))`; tanh: `tanh(x)`;
    /// - gelu: exact erf form (PyTorch's default) `x/2 * (1 + erf(x / sqrt 2))`;
    /// - silu: `x * sigmoid(x)`.
    ///
    /// exp, tanh and erf come from the vectorizable `fastExp` family (within a few float ulp
    /// of libm), so every case runs several lanes at a time.
    public static func activate(
        _ kind: ActivationKind, parameter: Float,
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
    ) {
        switch kind {
        case .linear:
            copy(x, into: y, count: count)
        case .relu:
            // max(NaN, 0) is NaN: `max` keeps its first argument when the comparison fails.
            for i in 0..<count { y[i] = max(x[i], 0) }
        case .leakyReLU:
            let slope = parameter
            for i in 0..<count {
                let v = x[i]
                y[i] = v > 0 ? v : slope * v
            }
        case .elu:
            let alpha = parameter
            for i in 0..<count {
                let v = x[i]
                let negative = alpha * fastExpm1(v)
                y[i] = v > 0 ? v : negative
            }
        case .sigmoid:
            for i in 0..<count { y[i] = 1 / (1 + fastExp(-x[i])) }
        case .tanh:
            for i in 0..<count { y[i] = fastTanh(x[i]) }
        case .gelu:
            // x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))
            for i in 0..<count {
                let v = x[i]
                y[i] = v * normalCDF(v)
            }
        case .silu:
            for i in 0..<count {
                let v = x[i]
                y[i] = v / (1 + fastExp(-v))
            }
        }
    }

    /// Backward of `activate`: `dx[i] (+)= f'(x[i]) * dy[i]` for `count` elements.
    ///
    /// Each kind reads the cheaper of `x` and `y` (the forward output). relu, sigmoid, tanh and
    /// linear read only `y`, so their forward may run in place; leaky_relu, gelu and silu read
    /// only `x`; elu reads both. Derivatives at kinks follow PyTorch: relu'(0) = 0,
    /// leaky_relu'(0) = slope, elu'(0) = alpha. `dx` may alias `dy`.
    public static func activateBackward(
        _ kind: ActivationKind, parameter: Float,
        x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool
    ) {
        // Each case has an accumulating and an overwriting loop (an overwritten `dx` may hold
        // garbage, even NaN, so it is never read). Every value is loaded before the select, so
        // the loops stay branch-free and vectorize.
        switch kind {
        case .linear:
            // d(x)/dx = 1
            if accumulate { add(dx, dy, into: dx, count: count) } else { copy(dy, into: dx, count: count) }
        case .relu:
            // d(max(x, 0))/dx = x > 0 ? 1 : 0, and y > 0 exactly when x > 0
            if accumulate {
                for i in 0..<count { let g = dy[i]; dx[i] += y[i] > 0 ? g : 0 }
            } else {
                for i in 0..<count { let g = dy[i]; dx[i] = y[i] > 0 ? g : 0 }
            }
        case .leakyReLU:
            // d/dx = x > 0 ? 1 : slope
            let slope = parameter
            if accumulate {
                for i in 0..<count { let g = dy[i]; dx[i] += x[i] > 0 ? g : slope * g }
            } else {
                for i in 0..<count { let g = dy[i]; dx[i] = x[i] > 0 ? g : slope * g }
            }
        case .elu:
            // d/dx = x > 0 ? 1 : alpha * exp(x) = y + alpha
            let alpha = parameter
            if accumulate {
                for i in 0..<count { let g = dy[i]; let n = (y[i] + alpha) * g; dx[i] += x[i] > 0 ? g : n }
            } else {
                for i in 0..<count { let g = dy[i]; let n = (y[i] + alpha) * g; dx[i] = x[i] > 0 ? g : n }
            }
        case .sigmoid:
            // d(sigmoid)/dx = y * (1 - y)
            if accumulate {
                for i in 0..<count { let s = y[i]; dx[i] += s * (1 - s) * dy[i] }
            } else {
                for i in 0..<count { let s = y[i]; dx[i] = s * (1 - s) * dy[i] }
            }
        case .tanh:
            // d(tanh)/dx = 1 - y^2
            if accumulate {
                for i in 0..<count { let t = y[i]; dx[i] += (1 - t * t) * dy[i] }
            } else {
                for i in 0..<count { let t = y[i]; dx[i] = (1 - t * t) * dy[i] }
            }
        case .gelu:
            if accumulate {
                for i in 0..<count { dx[i] += geluDerivative(x[i]) * dy[i] }
            } else {
                for i in 0..<count { dx[i] = geluDerivative(x[i]) * dy[i] }
            }
        case .silu:
            if accumulate {
                for i in 0..<count { dx[i] += siluDerivative(x[i]) * dy[i] }
            } else {
                for i in 0..<count { dx[i] = siluDerivative(x[i]) * dy[i] }
            }
        }
    }

    /// gelu': `d(x * Phi(x))/dx = Phi(x) + x * phi(x)`, `phi(x) = exp(-x^2 / 2) / sqrt(2 pi)`.
    @inline(__always)
    static func geluDerivative(_ x: Float) -> Float {
        normalCDF(x) + x * normalDensity(x)
    }

    /// silu': `d(x * s(x))/dx = s(x) * (1 + x * (1 - s(x)))` with `s = sigmoid`.
    @inline(__always)
    static func siluDerivative(_ x: Float) -> Float {
        let s = 1 / (1 + fastExp(-x))
        return s * (1 + x * (1 - s))
    }

    /// Row-wise softmax, `[rows, columns] -> [rows, columns]`:
    /// `y[r, c] = exp(x[r, c] - max_r) / sum_c' exp(x[r, c'] - max_r)`.
    ///
    /// Subtracting the row maximum keeps `exp` from overflowing. `y` may alias `x`.
    public static func softmax(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int
    ) {
        if columns == 0 { return }
        for r in 0..<rows {
            let xRow = x + r * columns
            let yRow = y + r * columns
            let rowMax = maximum(xRow, count: columns)
            for c in 0..<columns { yRow[c] = fastExp(xRow[c] - rowMax) }
            let inverse = 1 / sum(yRow, count: columns)
            for c in 0..<columns { yRow[c] *= inverse }
        }
    }

    /// Backward of row-wise softmax from its output: `dx (+)= y * (dy - sum_c(dy * y))` per row.
    ///
    /// From `dy_c/dx_j = y_c * (delta_cj - y_j)`. Shapes `[rows, columns]`; `dx` may alias `dy`
    /// when `accumulate` is false.
    public static func softmaxBackward(
        y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
        rows: Int, columns: Int, accumulate: Bool
    ) {
        for r in 0..<rows {
            let yRow = y + r * columns
            let dyRow = dy + r * columns
            let dxRow = dx + r * columns
            let inner = dot(dyRow, yRow, count: columns)
            if accumulate {
                for c in 0..<columns { dxRow[c] += yRow[c] * (dyRow[c] - inner) }
            } else {
                for c in 0..<columns { dxRow[c] = yRow[c] * (dyRow[c] - inner) }
            }
        }
    }
}
