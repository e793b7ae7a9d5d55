/// Integer arithmetic for shapes that reports overflow instead of trapping.
public enum ShapeArithmetic {
    /// The largest element count of one tensor the checker accepts (2^40).
    static let maximumElements = 1 << 40

    /// The product of the dimensions, or `nil` if it overflows or passes `maximumElements`.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for dim in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= maximumElements else { return nil }
            total = product
        }
        return total
    }

    static func multiply(_ values: Int...) -> Int? {
        var total = 1
        for value in values {
            let (product, overflow) = total.multipliedReportingOverflow(by: value)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }

    static func add(_ a: Int, _ b: Int) -> Int? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    /// The output length of a window sliding over `length`: `valid` drops partial windows,
    /// `same` pads to `ceil(length / stride)`. `nil` when the window does not fit.
    static func windowOutput(length: Int, window: Int, stride: Int, padded: Bool) -> Int? {
        if padded { return (length + stride - 1) / stride }
        guard window <= length else { return nil }
        return (length - window) / stride + 1
    }

    /// `[8, 8, 1]`
    public static func format(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// `1.2M`, `3.4K`, `980`.
    public static func abbreviate(_ count: Int) -> String {
        let value = Double(count)
        if value >= 1e12 { return String(format1(value / 1e12)) + "T" }
        if value >= 1e9 { return String(format1(value / 1e9)) + "B" }
        if value >= 1e6 { return String(format1(value / 1e6)) + "M" }
        if value >= 1e3 { return String(format1(value / 1e3)) + "K" }
        return String(count)
    }

    private static func format1(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
