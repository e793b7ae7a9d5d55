extension Kernels {
    /// `y = [a | b | ...]` along one axis: viewed as `[outer, width_i]` each (the axes before the
    /// joined one, then the joined axis with everything after it), `y` is `[outer, sum width_i]`.
    public static func concat(_ parts: [UnsafePointer<Float>], widths: [Int], into y: UnsafeMutablePointer<Float>,
                              outer: Int, rows: Range<Int>) {
        let total = widths.reduce(0, +)
        for row in rows {
            var offset = row * total
            for (part, width) in zip(parts, widths) {
                (y + offset).update(from: part + row * width, count: width)
                offset += width
            }
        }
    }

    /// The gradient of one concat operand: `dx[row, :] = dy[row, start ..< start + width]`,
    /// `[outer, total] -> [outer, width]`. `d[a | b]/da` picks a's columns.
    public static func narrow(_ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, total: Int, start: Int, width: Int,
                              rows: Range<Int>) {
        for row in rows {
            (dx + row * width).update(from: dy + row * total + start, count: width)
        }
    }
}
