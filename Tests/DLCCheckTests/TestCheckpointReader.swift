import DLCCheck
import Foundation

/// The checker's checkpoint reader for tests: the runtime owns the safetensors format, and this
/// target does not import it, so the header (8-byte length, then JSON) is read here directly.
enum TestCheckpointReader {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    @Sendable static func read(_ path: String) throws -> CheckpointContents {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(description: "no such file") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw Unreadable(description: "it is \(bytes.count) bytes, too short for a safetensors file") }
        let length = (0..<8).reversed().reduce(0) { $0 << 8 | Int(bytes[$1]) }
        guard length <= bytes.count - 8,
              let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any] else {
            throw Unreadable(description: "its header is not safetensors JSON")
        }
        var shapes: [String: [Int]] = [:]
        for (name, value) in header where name != "__metadata__" {
            shapes[name] = ((value as? [String: Any])?["shape"] as? [Int]) ?? []
        }
        return CheckpointContents(shapes: shapes)
    }

    /// Check options that read checkpoints.
    static var options: CheckOptions {
        var options = CheckOptions()
        options.readCheckpoint = read
        return options
    }
}
