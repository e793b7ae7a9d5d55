/// Parses decimal text (UTF-8 bytes) as a correctly rounded `Float`, without allocating in the
/// common case.
///
/// Accepts exactly what ``NumericText/isDecimal(_:)`` accepts; `nan`, `inf` and hexadecimal
/// floats are not numbers here. Short numbers (at most 7 significant digits and a decimal exponent
/// within ±10, such as `5.1` or `16`) take an exact fast path: the digits and the power of ten are
/// both exact in `Float`, so one multiplication or division rounds correctly (Clinger's fast path).
/// Anything else goes through the standard library's correctly rounded parser.
enum DecimalFloatParser {
    /// The powers of ten that are exact in `Float`: 1e0 ... 1e10.
    private static let powersOfTen: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]
    /// The largest mantissa that is exact in `Float`: 2^24.
    private static let largestExactMantissa: UInt64 = 1 << 24

    /// The value of `text`, or nil when it is not a decimal number. A number too large for
    /// `Float` gives an infinity (callers report it); a number too small gives zero.
    static func parse(_ text: ArraySlice<UInt8>) -> Float? {
        text.withUnsafeBufferPointer { parse($0) }
    }

    /// The value of `text`, or nil when it is not a decimal number (see ``parse(_:)-ArraySlice``).
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Float? {
        if let fast = fastValue(text) { return fast }
        guard NumericText.isDecimal(text) else { return nil }
        return Float(String(decoding: text, as: UTF8.self))
    }

    /// The value through the exact fast path, or nil when the text is not a short plain decimal
    /// (the caller then validates it and uses the general parser).
    @inline(__always)
    private static func fastValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        var index = 0
        let count = bytes.count
        var isNegative = false
        if index < count && (bytes[index] == .minus || bytes[index] == .plus) {
            isNegative = bytes[index] == .minus
            index += 1
        }
        var mantissa: UInt64 = 0
        var digitCount = 0
        var significantDigits = 0
        var exponent = 0
        while index < count, bytes[index].isDigit {
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- .zero)
            if mantissa != 0 { significantDigits += 1 }
            digitCount += 1
            index += 1
        }
        if index < count && bytes[index] == .period {
            index += 1
            while index < count, bytes[index].isDigit {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- .zero)
                if mantissa != 0 { significantDigits += 1 }
                digitCount += 1
                exponent -= 1
                index += 1
            }
        }
        // Exponents, overlong digit strings and anything unusual take the general path.
        guard index == count, digitCount > 0, significantDigits <= 7, mantissa <= largestExactMantissa,
              exponent >= -10 else { return nil }
        let magnitude = exponent == 0 ? Float(mantissa) : Float(mantissa) / powersOfTen[-exponent]
        return isNegative ? -magnitude : magnitude
    }
}
