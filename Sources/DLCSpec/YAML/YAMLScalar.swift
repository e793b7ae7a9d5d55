/// A scalar's text with its quoting style, and its value under YAML 1.2's core schema.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// A resolved scalar value. Quoted and block scalars are always strings.
    public enum Value: Sendable, Hashable {
        case null
        case bool(Bool)
        case integer(Int)
        case number(Double)
        case string(String)
    }

    public let text: String
    public let style: Style
    public let tag: String?

    public init(text: String, style: Style, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// The value under YAML 1.2's core schema (an explicit `!!str` tag keeps the text a string).
    public var value: Value {
        if style != .plain || tag == "tag:yaml.org,2002:str" || tag == "!!str" { return .string(text) }
        return Self.resolvePlain(text)
    }

    /// Resolves plain text: `null`/`~`/empty, `true`/`false`, integers (decimal, `0x`, `0o`), floats.
    public static func resolvePlain(_ text: String) -> Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        if let integer = parseInteger(text) { return integer }
        if isCoreFloat(text), let number = Double(text) { return .number(number) }
        return .string(text)
    }

    /// A description for messages, such as "the integer `3`" or "the string `relu`".
    public var valueDescription: String {
        switch value {
        case .null: return "an empty value"
        case .bool(let flag): return "the boolean `\(flag)`"
        case .integer(let integer): return "the integer `\(integer)`"
        case .number: return "the number `\(text)`"
        case .string(let string): return string.isEmpty ? "an empty string" : "the string `\(string)`"
        }
    }

    private static func parseInteger(_ text: String) -> Value? {
        var body = Substring(text)
        var negative = false
        if body.first == "-" || body.first == "+" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        var radix = 10
        if body.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) } else if body.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        guard !body.isEmpty, body.allSatisfy({ $0.isHexDigit && $0.isASCII }) else { return nil }
        if radix == 10, !body.allSatisfy(\.isNumber) { return nil }
        guard let magnitude = Int(body, radix: radix) else {
            // Too large for an integer: still a number, so range checks can say so.
            return radix == 10 ? Double(text).map { Value.number($0) } : nil
        }
        return .integer(negative ? -magnitude : magnitude)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isCoreFloat(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        func digits() -> Int {
            var count = 0
            while let first = scalars.first, ("0"..."9").contains(first) { scalars = scalars.dropFirst(); count += 1 }
            return count
        }
        if scalars.first == "-" || scalars.first == "+" { scalars = scalars.dropFirst() }
        let integerDigits = digits()
        var fractionDigits = 0
        if scalars.first == "." {
            scalars = scalars.dropFirst()
            fractionDigits = digits()
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }
        if scalars.first == "e" || scalars.first == "E" {
            scalars = scalars.dropFirst()
            if scalars.first == "-" || scalars.first == "+" { scalars = scalars.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return scalars.isEmpty
    }
}
