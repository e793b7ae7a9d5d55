/// One tensor's entry in a safetensors header: its name, shape and byte range in the data section.
struct SafetensorsHeaderEntry: Equatable {
    var name: String
    var shape: [Int]
    /// `data_offsets[0]`, relative to the first byte after the header.
    var begin: Int
    /// `data_offsets[1]`, one past the tensor's last byte.
    var end: Int
}

/// The JSON header of a safetensors file: rendering for `encode`, parsing and checking for
/// `decode`.
enum SafetensorsHeader {
    /// The member name the format reserves for the string-to-string metadata map.
    static let metadataKey = "__metadata__"

    /// The header bytes for `entries`, padded with spaces to a multiple of 8 so the data that
    /// follows the 8-byte length is 8-byte aligned.
    ///
    /// Layout, without any space: `{"__metadata__":{...},"NAME":{"dtype":"F32","shape":[...],
    /// "data_offsets":[B,E]},...}`. Metadata keys are sorted and the member is left out when
    /// empty; tensors keep the given order. Strings are escaped as serde_json (which the
    /// reference implementation uses) escapes them, so equal inputs give equal bytes.
    static func render(_ entries: [SafetensorsHeaderEntry], metadata: [String: String]) -> [UInt8] {
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { key in
                quoted(key) + ":" + quoted(metadata[key] ?? "")
            }
            members.append(quoted(metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        for entry in entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            members.append(
                quoted(entry.name) + ":{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(entry.begin),\(entry.end)]}"
            )
        }
        var bytes = Array(("{" + members.joined(separator: ",") + "}").utf8)
        let padding = (8 - bytes.count % 8) % 8
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        return bytes
    }

    /// `text` as a JSON string literal, escaped like serde_json: `"` and `\` by backslash,
    /// control characters as `\n`, `\t`, ... or `\u00xx`; everything else as raw UTF-8.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Parses header bytes into entries in header order and the metadata map.
    ///
    /// Checks everything that does not need the data section: UTF-8, JSON, the shape of each
    /// entry, the dtype, duplicate names and element counts that overflow.
    static func parse(
        _ bytes: [UInt8]
    ) throws(SafetensorsError) -> (entries: [SafetensorsHeaderEntry], metadata: [String: String]) {
        guard Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes else {
            throw .invalidHeader(reason: "the header is not valid UTF-8")
        }
        let root: SafetensorsJSONValue
        do {
            root = try SafetensorsJSONParser.parse(bytes)
        } catch {
            throw .invalidHeader(reason: error.message)
        }
        guard case .object(let members) = root else {
            throw .invalidHeader(reason: "expected a JSON object, found \(root.kindName)")
        }
        var entries: [SafetensorsHeaderEntry] = []
        var metadata: [String: String]?
        var seen: Set<String> = []
        for (name, value) in members {
            guard seen.insert(name).inserted else {
                if name == metadataKey { throw .invalidHeader(reason: "`__metadata__` appears twice") }
                throw .duplicateName(name)
            }
            if name == metadataKey {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(name: name, value))
            }
        }
        return (entries, metadata ?? [:])
    }

    private static func parseMetadata(_ value: SafetensorsJSONValue) throws(SafetensorsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw .invalidHeader(reason: "`__metadata__` must be an object, found \(value.kindName)")
        }
        var metadata: [String: String] = [:]
        for (key, member) in members {
            guard case .string(let text) = member else {
                throw .invalidHeader(reason: "metadata `\(key)` must be a string, found \(member.kindName)")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw .invalidHeader(reason: "metadata `\(key)` appears twice")
            }
        }
        return metadata
    }

    private static func parseEntry(
        name: String, _ value: SafetensorsJSONValue
    ) throws(SafetensorsError) -> SafetensorsHeaderEntry {
        guard case .object(let members) = value else {
            throw .invalidHeader(reason: "tensor `\(name)` must be an object, found \(value.kindName)")
        }
        var fields: [String: SafetensorsJSONValue] = [:]
        for (key, member) in members {
            guard fields.updateValue(member, forKey: key) == nil else {
                throw .invalidHeader(reason: "tensor `\(name)` has `\(key)` twice")
            }
        }
        guard case .string(let dtype)? = fields["dtype"] else {
            throw .invalidHeader(reason: "tensor `\(name)` needs a string `dtype`")
        }
        guard dtype == "F32" else { throw .unsupportedDtype(tensor: name, dtype: dtype) }
        guard let shape = integers(fields["shape"]) else {
            throw .invalidHeader(reason: "tensor `\(name)` needs `shape`, an array of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw .invalidHeader(reason: "tensor `\(name)` needs `data_offsets`, two non-negative integers")
        }
        guard byteCount(of: shape) != nil else { throw .invalidShape(tensor: name, shape: shape) }
        return SafetensorsHeaderEntry(name: name, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// The values of a JSON array of non-negative integers that fit `Int`, or nil.
    private static func integers(_ value: SafetensorsJSONValue?) -> [Int]? {
        guard case .array(let elements)? = value else { return nil }
        var result: [Int] = []
        for element in elements {
            guard case .number(let text) = element,
                text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let integer = Int(text)
            else { return nil }
            result.append(integer)
        }
        return result
    }

    /// The bytes a float32 tensor of `shape` takes, or nil when a dimension is negative or the
    /// count overflows `Int`.
    static func byteCount(of shape: [Int]) -> Int? {
        var count = MemoryLayout<Float>.size
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Checks the entries' byte ranges against a data section of `dataLength` bytes and returns
    /// the entries in data order.
    ///
    /// Like the reference implementation, the ranges must tile the data section exactly: each
    /// one `4 * elements` long, starting where the previous one ends, the first at 0 and the
    /// last ending at `dataLength`. Entries with equal offsets keep header order.
    static func checkLayout(
        _ entries: [SafetensorsHeaderEntry], dataLength: Int
    ) throws(SafetensorsError) -> [SafetensorsHeaderEntry] {
        for entry in entries {
            guard entry.begin <= entry.end, entry.end <= dataLength else {
                throw .offsetsOutOfRange(tensor: entry.name, begin: entry.begin, end: entry.end, dataLength: dataLength)
            }
            guard byteCount(of: entry.shape) == entry.end - entry.begin else {
                throw .sizeMismatch(tensor: entry.name, shape: entry.shape, byteCount: entry.end - entry.begin)
            }
        }
        let ordered = entries.enumerated().sorted { left, right in
            (left.element.begin, left.element.end, left.offset) < (right.element.begin, right.element.end, right.offset)
        }.map(\.element)
        var previousEnd = 0
        for entry in ordered {
            if entry.begin < previousEnd {
                throw .overlappingOffsets(tensor: entry.name, begin: entry.begin, previousEnd: previousEnd)
            }
            if entry.begin > previousEnd {
                throw .gapBeforeTensor(tensor: entry.name, begin: entry.begin, previousEnd: previousEnd)
            }
            previousEnd = entry.end
        }
        guard previousEnd == dataLength else { throw .trailingData(byteCount: dataLength - previousEnd) }
        return ordered
    }
}
