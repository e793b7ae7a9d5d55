/// The text of one file as the renderers see it: its path and its lines.
public struct SourceFile: Sendable {
    public var path: String
    public var text: String
    private let lines: [String]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        // Split on the byte, not the Character: "\r\n" is one Character.
        let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        self.lines = body.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            let line = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...]
            return String(decoding: line, as: UTF8.self)
        }
    }

    /// The text of a 1-based line without its line break, or `nil` past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lines.count else { return nil }
        return lines[number - 1]
    }
}
