extension Kernels {
    /// `y[i] = table[ids[i]]` for `count` ids (integers held as floats) into a `[rows, dimension]`
    /// table. An id that is not a whole number in `0..<rows` gives a row of zeros.
    public static func embedding(ids: UnsafePointer<Float>, table: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                 count: Int, rows: Int, dimension: Int) {
        for index in 0..<count {
            let output = y + index * dimension
            if let row = row(ids[index], rows: rows) {
                output.update(from: table + row * dimension, count: dimension)
            } else {
                output.update(repeating: 0, count: dimension)
            }
        }
    }

    /// The table's gradient: zeros, then each of the `count` rows of `dy` added into its id's row.
    public static func embeddingBackward(dy: UnsafePointer<Float>, ids: UnsafePointer<Float>, dtable: UnsafeMutablePointer<Float>,
                                         count: Int, rows: Int, dimension: Int) {
        dtable.update(repeating: 0, count: rows * dimension)
        for index in 0..<count {
            guard let row = row(ids[index], rows: rows) else { continue }
            let target = dtable + row * dimension, source = dy + index * dimension
            for j in 0..<dimension { target[j] += source[j] }
        }
    }

    @inline(__always)
    private static func row(_ id: Float, rows: Int) -> Int? {
        guard id >= 0, id < Float(rows), id == id.rounded(.towardZero) else { return nil }
        return Int(id)
    }
}
