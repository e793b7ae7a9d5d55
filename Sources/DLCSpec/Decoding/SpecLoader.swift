import DLCDiagnostics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A spec file read, parsed and decoded: its text for rendering, the spec, and every problem.
public struct LoadedSpec: Sendable {
    public var file: SourceFile
    /// `nil` when the text could not be parsed into a mapping at all.
    public var spec: Spec?
    public var diagnostics: [Diagnostic]
    /// The folder that relative data paths start from.
    public var baseDirectory: String
}

/// Reads a spec file through the YAML parser and the decoder.
public enum SpecLoader {
    /// Loads a file; an unreadable file is a diagnostic, not a thrown error.
    public static func load(path: String, overrides: [(name: String, text: String)] = [],
                            limits: YAMLParser.Limits = YAMLParser.Limits()) -> LoadedSpec {
        // (Foundation's `deletingLastPathComponent` traps on a one- or two-letter name without a folder.)
        let base = path.contains("/") ? (path as NSString).deletingLastPathComponent : ""
        let empty = SourceFile(path: path, text: "")
        func failure(_ message: String, _ help: String? = nil) -> LoadedSpec {
            LoadedSpec(file: empty, spec: nil, diagnostics: [Diagnostic.error("unreadable-file", message, at: nil).helping(help)],
                       baseDirectory: base)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return failure("no such file")
        }
        if isDirectory.boolValue { return failure("this is a folder, not a spec file", "pass the `.yaml` file inside it") }
        let bytes: [UInt8]
        switch readPrefix(of: path, count: limits.maximumBytes + 1) {
        case .bytes(let read): bytes = read
        case .failure(let reason): return failure(reason)
        }
        // Read at most one byte past the limit (no `attributesOfItem`: it looks up the file's owner
        // and group names, a millisecond of `dlc check`'s start-up).
        if bytes.count > limits.maximumBytes {
            return failure("the file is over \(limits.maximumBytes) bytes; specs may be at most \(limits.maximumBytes) bytes")
        }
        var loaded = load(bytes: bytes, path: path, overrides: overrides, limits: limits)
        loaded.baseDirectory = base
        return loaded
    }

    /// Loads text that came from `path` (which is only used in messages and for data paths).
    public static func load(bytes: [UInt8], path: String, overrides: [(name: String, text: String)] = [],
                            limits: YAMLParser.Limits = YAMLParser.Limits()) -> LoadedSpec {
        // (Foundation's `deletingLastPathComponent` traps on a one- or two-letter name without a folder.)
        let base = path.contains("/") ? (path as NSString).deletingLastPathComponent : ""
        let (root, parseDiagnostics) = YAMLParser(limits: limits).parse(bytes)
        let file = SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self))
        guard let root, !parseDiagnostics.containsErrors else {
            return LoadedSpec(file: file, spec: nil, diagnostics: parseDiagnostics, baseDirectory: base)
        }
        let decoder = SpecDecoder(overrides: overrides)
        let spec = decoder.decode(root)
        return LoadedSpec(file: file, spec: spec, diagnostics: parseDiagnostics + decoder.diagnostics, baseDirectory: base)
    }

    /// Loads a string (for tests and tools).
    public static func load(text: String, path: String = "spec.yaml", overrides: [(name: String, text: String)] = []) -> LoadedSpec {
        load(bytes: Array(text.utf8), path: path, overrides: overrides)
    }

    enum ReadOutcome {
        case bytes([UInt8])
        case failure(String)
    }

    /// Up to `count` bytes of the file at `path`. A named pipe is opened without waiting for a
    /// writer (a pipe with none reads as empty, where a plain `open` would wait forever), then
    /// read like a file, so `dlc check <(generate-spec)` still works.
    static func readPrefix(of path: String, count: Int) -> ReadOutcome {
        var descriptor: Int32
        repeat { descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            return .failure(errno == EACCES ? "the file cannot be read (permission denied)" : "the file cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { buffer in read(descriptor, buffer.baseAddress! + filled, count - filled) }
            if result < 0 {
                if errno == EINTR { continue }
                return .failure("the file cannot be read: \(String(cString: strerror(errno)))")
            }
            if result == 0 { break }
            filled += result
        }
        bytes.removeSubrange(filled...)
        return .bytes(bytes)
    }
}
