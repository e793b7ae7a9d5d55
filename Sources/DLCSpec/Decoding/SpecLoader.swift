import DLCDiagnostics
import Foundation

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
        let base = (path as NSString).deletingLastPathComponent
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
        guard let handle = FileHandle(forReadingAtPath: path) else { return failure("the file cannot be read (permission denied?)") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limits.maximumBytes + 1) ?? Data()
        } catch {
            return failure("the file cannot be read: \(error.localizedDescription)")
        }
        // Read at most one byte past the limit (no `attributesOfItem`: it looks up the file's owner
        // and group names, a millisecond of `dlc check`'s start-up).
        if data.count > limits.maximumBytes {
            return failure("the file is over \(limits.maximumBytes) bytes; specs may be at most \(limits.maximumBytes) bytes")
        }
        var loaded = load(bytes: [UInt8](data), path: path, overrides: overrides, limits: limits)
        loaded.baseDirectory = base
        return loaded
    }

    /// Loads text that came from `path` (which is only used in messages and for data paths).
    public static func load(bytes: [UInt8], path: String, overrides: [(name: String, text: String)] = [],
                            limits: YAMLParser.Limits = YAMLParser.Limits()) -> LoadedSpec {
        let base = (path as NSString).deletingLastPathComponent
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
}
