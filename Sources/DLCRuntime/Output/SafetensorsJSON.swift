/// A JSON value as the safetensors header parser sees it: objects keep their members in file
/// order (duplicates included, so the caller can reject them) and numbers keep their text, so
/// offsets too large for `Int` are reported instead of rounded.
enum SafetensorsJSONValue {
    case object([(key: String, value: SafetensorsJSONValue)])
    case array([SafetensorsJSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// A short name of the value's kind for messages: "an object", "a string", ...
    var kindName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// A strict RFC 8259 parser for the bytes of a safetensors header.
///
/// It never traps on bad input: every problem is a thrown message with the byte offset, and
/// nesting is limited so a header of ten thousand `[` cannot exhaust the stack.
struct SafetensorsJSONParser {
    /// The deepest nesting of arrays and objects accepted; real headers use three levels.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var position = 0

    /// Parses one JSON value that fills `bytes` apart from surrounding whitespace.
    /// - Throws: a lowercase message such as "expected `:` at byte 17".
    static func parse(_ bytes: [UInt8]) throws(SafetensorsJSONParseError) -> SafetensorsJSONValue {
        var parser = SafetensorsJSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count {
            throw parser.failure("unexpected text after the JSON object")
        }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func failure(_ message: String) -> SafetensorsJSONParseError {
        SafetensorsJSONParseError(message: "\(message) at byte \(position)")
    }

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ text: String) throws(SafetensorsJSONParseError) {
        guard current == byte else { throw failure("expected `\(text)`") }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws(SafetensorsJSONParseError) -> SafetensorsJSONValue {
        guard depth < Self.maximumDepth else { throw failure("JSON nested too deeply") }
        switch current {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case .some(let byte) where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte):
            return .number(try parseNumber())
        case .some: throw failure("expected a JSON value")
        case nil: throw failure("unexpected end of the header")
        }
    }

    private mutating func parseLiteral(_ word: String) throws(SafetensorsJSONParseError) {
        for byte in word.utf8 {
            guard current == byte else { throw failure("expected `\(word)`") }
            position += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(SafetensorsJSONParseError) -> SafetensorsJSONValue {
        position += 1  // {
        var members: [(key: String, value: SafetensorsJSONValue)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), ":")
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key: key, value: value))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "}")
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(SafetensorsJSONParseError) -> SafetensorsJSONValue {
        position += 1  // [
        var elements: [SafetensorsJSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "]")
            return .array(elements)
        }
    }

    /// Parses a number and returns its text, checked against the JSON grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(SafetensorsJSONParseError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard try skipDigits() > 0 else { throw failure("expected a digit") }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard try skipDigits() > 0 else { throw failure("expected a digit after `.`") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard try skipDigits() > 0 else { throw failure("expected a digit in the exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func skipDigits() throws(SafetensorsJSONParseError) -> Int {
        let start = position
        while let byte = current, (0x30...0x39).contains(byte) { position += 1 }
        return position - start
    }

    /// Parses a string literal, decoding escapes; `\u` escapes must form whole scalars.
    private mutating func parseString() throws(SafetensorsJSONParseError) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw failure("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                position -= 1
                throw failure("control character in a string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(SafetensorsJSONParseError) {
        guard let escape = current else { throw failure("unterminated string") }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[escape] {
            utf8.append(replacement)
            return
        }
        guard escape == UInt8(ascii: "u") else {
            position -= 1
            throw failure("unknown escape `\\\(Character(Unicode.Scalar(escape)))`")
        }
        var code = try parseHexQuad()
        if (0xD800..<0xDC00).contains(code) {
            guard current == UInt8(ascii: "\\") else { throw failure("lone surrogate in `\\u` escape") }
            position += 1
            guard current == UInt8(ascii: "u") else { throw failure("lone surrogate in `\\u` escape") }
            position += 1
            let low = try parseHexQuad()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("lone surrogate in `\\u` escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("lone surrogate in `\\u` escape") }
        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func parseHexQuad() throws(SafetensorsJSONParseError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexDigitValue(byte) else {
                throw failure("expected four hexadecimal digits after `\\u`")
            }
            code = code * 16 + digit
            position += 1
        }
        return code
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }
}

/// Why header bytes are not JSON: one lowercase message naming the byte offset.
struct SafetensorsJSONParseError: Error {
    var message: String
}
