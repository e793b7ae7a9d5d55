import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What every harness shares: a scratch folder in memory (`/dev/shm`) for readers that take a
/// path, and the fixtures that specs may name.
enum FuzzSupport {
    /// This process's scratch folder, created on first use and removed at exit.
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/dlc-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzSupport.scratchPath) }
        scratchPath = path
        return path
    }()
    nonisolated(unsafe) private static var scratchPath = ""

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    static func write(_ bytes: UnsafeBufferPointer<UInt8>, named name: String) -> String {
        let path = "\(scratch)/\(name)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(descriptor >= 0, "fuzz: cannot write \(path)")
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            precondition(result > 0, "fuzz: cannot write \(path)")
            written += result
        }
        close(descriptor)
        return path
    }

    static func write(_ bytes: [UInt8], named name: String) -> String {
        bytes.withUnsafeBufferPointer { write($0, named: name) }
    }

    /// The repository, from this file's path (`Fuzz/Targets/FuzzSupport.swift`).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The fixture tree, `FIXTURES/specs` (a spec's folder) beside `FIXTURES/data`, with
    /// `specs/data` pointing at `data`, so both `data/iris.csv` (the paths of `specs/`) and
    /// `../data/iris.csv` (the golden tests') resolve. The files: the golden tests' data, the
    /// data tests' fixtures, and the small data of `specs/`.
    static let fixtureSpecFolder: String = {
        let root = "\(scratch)/fixtures"
        let manager = FileManager.default
        try? manager.createDirectory(atPath: "\(root)/specs", withIntermediateDirectories: true)
        try? manager.createDirectory(atPath: "\(root)/data", withIntermediateDirectories: true)
        for folder in ["Tests/DLCCheckTests/Golden/data", "Tests/DLCDataTests/Fixtures"] {
            for name in (try? manager.contentsOfDirectory(atPath: "\(repository)/\(folder)")) ?? [] {
                try? manager.copyItem(atPath: "\(repository)/\(folder)/\(name)", toPath: "\(root)/data/\(name)")
            }
        }
        for name in ["iris.csv", "penguins.csv"] {
            try? manager.copyItem(atPath: "\(repository)/specs/data/\(name)", toPath: "\(root)/data/\(name)")
        }
        try? manager.createSymbolicLink(atPath: "\(root)/specs/data", withDestinationPath: "../data")
        fixtureNames = Set((try? manager.contentsOfDirectory(atPath: "\(root)/data")) ?? [])
        fixtureRoot = root
        return "\(root)/specs"
    }()
    nonisolated(unsafe) private static var fixtureRoot = ""
    nonisolated(unsafe) private static var fixtureNames: Set<String> = []

    /// Whether `path`, as a spec in `fixtureSpecFolder` names it, is one of the fixtures: the
    /// harness reads data only then, so a mutated spec never reads `/dev/zero` or a large file.
    static func isFixture(_ path: String) -> Bool {
        _ = fixtureSpecFolder
        guard !path.hasPrefix("/"), !path.contains("\0") else { return false }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let name = parts.last, fixtureNames.contains(name) else { return false }
        let folders = Array(parts.dropLast())
        return folders == ["data"] || folders == ["..", "data"]
    }
}

extension FuzzSupport {
    /// A valid 3-image 2x2 IDX file and its labels, for the harness that mutates the other one.
    static let validIDXImages: String = write([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2] + Array(0..<12), named: "images.idx")
    static let validIDXLabels: String = write([0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2], named: "labels.idx")

}
