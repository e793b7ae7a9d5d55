/// Recognizes numbers written as text (UTF-8 bytes), without allocating.
enum NumericText {
    /// Whether `text` is an integer: an optional sign and one or more ASCII digits.
    static func isInteger(_ text: some Collection<UInt8>) -> Bool {
        var rest = text[...]
        if let first = rest.first, first == .plus || first == .minus { rest = rest.dropFirst() }
        return !rest.isEmpty && rest.allSatisfy(\.isDigit)
    }

    /// Whether `text` is a decimal number: `[+-]? (digits [. digits] | . digits) ([eE] [+-]? digits)?`.
    ///
    /// `nan`, `inf` and hexadecimal floats are not decimal numbers.
    static func isDecimal(_ text: some Collection<UInt8>) -> Bool {
        var index = text.startIndex
        func skipDigits() -> Int {
            var count = 0
            while index != text.endIndex && text[index].isDigit {
                text.formIndex(after: &index)
                count += 1
            }
            return count
        }
        if index != text.endIndex && (text[index] == .plus || text[index] == .minus) { text.formIndex(after: &index) }
        var digits = skipDigits()
        if index != text.endIndex && text[index] == .period {
            text.formIndex(after: &index)
            digits += skipDigits()
        }
        guard digits > 0 else { return false }
        if index != text.endIndex && (text[index] == .lowercaseE || text[index] == .uppercaseE) {
            text.formIndex(after: &index)
            if index != text.endIndex && (text[index] == .plus || text[index] == .minus) { text.formIndex(after: &index) }
            guard skipDigits() > 0 else { return false }
        }
        return index == text.endIndex
    }

    /// Orders integers (as ``isInteger(_:)`` accepts them) by value, of any length; equal values
    /// written differently (`1`, `01`, `+1`) are ordered by their bytes.
    static func integerPrecedes(_ left: some Collection<UInt8>, _ right: some Collection<UInt8>) -> Bool {
        let a = IntegerParts(left), b = IntegerParts(right)
        if a.isNegative != b.isNegative { return a.isNegative }
        if a.digits.count != b.digits.count || !a.digits.elementsEqual(b.digits) {
            let magnitudeLess = a.digits.count != b.digits.count
                ? a.digits.count < b.digits.count
                : a.digits.lexicographicallyPrecedes(b.digits)
            return a.isNegative ? !magnitudeLess : magnitudeLess
        }
        return left.lexicographicallyPrecedes(right)
    }

    /// An integer's sign and its digits without leading zeros (zero has no digits and no sign).
    private struct IntegerParts {
        var isNegative: Bool
        var digits: [UInt8]

        init(_ text: some Collection<UInt8>) {
            var rest = text[...]
            let negative = rest.first == .minus
            if let first = rest.first, first == .plus || first == .minus { rest = rest.dropFirst() }
            digits = Array(rest.drop { $0 == .zero })
            isNegative = negative && !digits.isEmpty
        }
    }
}

extension UInt8 {
    static let plus = UInt8(ascii: "+")
    static let minus = UInt8(ascii: "-")
    static let period = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let lowercaseE = UInt8(ascii: "e")
    static let uppercaseE = UInt8(ascii: "E")

    /// Whether the byte is an ASCII digit `0`-`9`.
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
}
