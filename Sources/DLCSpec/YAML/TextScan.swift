import DLCDiagnostics

/// Byte-level checks that run before libyaml sees the text, so their errors have exact positions.
enum TextScan {
    /// The position of the first byte that is not part of valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> SourceLocation? {
        var line = 1, column = 1, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return SourceLocation(line: line, column: column)
            }
            guard index + length <= bytes.count else { return SourceLocation(line: line, column: column) }
            for offset in 1..<max(length, 1) where bytes[index + offset] & 0xC0 != 0x80 {
                return SourceLocation(line: line, column: column)
            }
            if length == 3 {
                let second = bytes[index + 1]
                if (byte == 0xE0 && second < 0xA0) || (byte == 0xED && second > 0x9F) {
                    return SourceLocation(line: line, column: column)
                }
            } else if length == 4 {
                let second = bytes[index + 1]
                if (byte == 0xF0 && second < 0x90) || (byte == 0xF4 && second > 0x8F) {
                    return SourceLocation(line: line, column: column)
                }
            }
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
            index += length
        }
        return nil
    }

    /// The tabs that stand in a line's indentation (before its first other character).
    static func indentationTabs(_ bytes: [UInt8]) -> [SourceRange] {
        var ranges: [SourceRange] = []
        var line = 1, column = 1, inIndentation = true
        var pendingTab: SourceLocation?
        for byte in bytes {
            switch byte {
            case 0x0A:
                line += 1; column = 1; inIndentation = true; pendingTab = nil
                continue
            case 0x09 where inIndentation:
                if pendingTab == nil { pendingTab = SourceLocation(line: line, column: column) }
            case 0x20, 0x0D:
                break
            default:
                // A tab before content counts; one before a comment or on a blank line does not matter.
                if inIndentation, let tab = pendingTab, byte != UInt8(ascii: "#") {
                    ranges.append(SourceRange(start: tab, end: SourceLocation(line: tab.line, column: tab.column + 1)))
                }
                inIndentation = false
            }
            if byte & 0xC0 != 0x80 { column += 1 }
        }
        return ranges
    }

    /// Whether the text holds nothing but white space and comments.
    static func isBlank(_ bytes: [UInt8]) -> Bool {
        var inComment = false
        for byte in bytes {
            if byte == 0x0A { inComment = false; continue }
            if inComment { continue }
            switch byte {
            case 0x20, 0x09, 0x0D: continue
            case UInt8(ascii: "#"): inComment = true
            case 0xEF, 0xBB, 0xBF: continue  // a byte-order mark
            default: return false
            }
        }
        return true
    }
}
