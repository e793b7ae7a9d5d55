import DLCGraph

extension Kernels {
    /// Fused `y = f(x + bias)` over `[rows, columns]`, bias broadcast over rows.
    ///
    /// Works through blocks of whole rows that stay in L1, so the sum is written and activated
    /// while still in cache: one trip through memory instead of three (copy, add, activate).
    /// relu, the common case after a dense or conv layer, is a single fused pass.
    public static func biasActivate(
        _ kind: ActivationKind, parameter: Float, _ x: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int
    ) {
        guard rows > 0, columns > 0 else { return }
        if kind == .relu {
            for r in 0..<rows {
                let xRow = x + r * columns, yRow = y + r * columns
                for c in 0..<columns { yRow[c] = max(xRow[c] + bias[c], 0) }
            }
            return
        }
        let rowsPerBlock = max(1, 2048 / columns)
        var row = 0
        while row < rows {
            let count = min(rowsPerBlock, rows - row)
            let start = row * columns
            for r in 0..<count {
                let xRow = x + start + r * columns, yRow = y + start + r * columns
                for c in 0..<columns { yRow[c] = xRow[c] + bias[c] }
            }
            activate(kind, parameter: parameter, y + start, y + start, count: count * columns)
            row += count
        }
    }
}
