import DLCCheck
import DLCData
import Foundation
import Testing

/// A data file deleted, truncated or rewritten after `Checker` read it and before the loader
/// reads it again (IDX files are read twice by `dlc run`: the header when checking, the
/// examples when training): the loader's error names the file, as `dlc run` reports it, and
/// never traps on sizes the checker saw.
@Suite("Data changed between check and training")
struct DataChangedTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/data").path

    /// A spec over copies of the golden digits IDX files, checked.
    static func checkedDigits() throws -> (folder: String, result: CheckResult) {
        let folder = NSTemporaryDirectory() + "dlc-changed-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["digits-images.idx3-ubyte", "digits-labels.idx1-ubyte"] {
            try FileManager.default.copyItem(atPath: golden + "/" + name, toPath: folder + "/" + name)
        }
        let spec = """
            name: digits
            data:
              train: {idx: {images: digits-images.idx3-ubyte, labels: digits-labels.idx1-ubyte}}
            model:
              layers:
                - flatten
                - dense: {units: 10}
            loss: cross_entropy
            optimizer: {sgd: {learning_rate: 0.1}}
            training: {epochs: 1, batch_size: 8}
            """
        try spec.write(toFile: folder + "/spec.yaml", atomically: true, encoding: .utf8)
        let result = Checker.check(path: folder + "/spec.yaml")
        #expect(!result.hasErrors, "\(result.diagnostics)")
        return (folder, result)
    }

    static func load(_ result: CheckResult) throws(DataError) {
        guard let source = result.model?.spec.data?.train?.value else { throw .fileNotFound(path: "(the spec did not check)") }
        _ = try DatasetLoader.loadTable(DataChecks.description(of: source), baseDirectory: result.baseDirectory,
                                        task: .classification, seed: 0)
    }

    @Test("deleted")
    func deleted() throws {
        let (folder, result) = try Self.checkedDigits()
        try FileManager.default.removeItem(atPath: folder + "/digits-images.idx3-ubyte")
        #expect(throws: DataError.fileNotFound(path: "digits-images.idx3-ubyte")) { try Self.load(result) }
    }

    @Test("truncated", arguments: [16, 100])
    func truncated(keeping bytes: Int) throws {
        let (folder, result) = try Self.checkedDigits()
        let path = folder + "/digits-images.idx3-ubyte"
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data = data.prefix(bytes)
        try data.write(to: URL(fileURLWithPath: path))
        do {
            try Self.load(result)
            Issue.record("a changed file loaded")
        } catch {
            #expect(error.message.contains("digits-images.idx3-ubyte") || "\(error)".contains("digits-images"), "\(error)")
        }
    }

    @Test("replaced by labels of another count")
    func otherCount() throws {
        let (folder, result) = try Self.checkedDigits()
        let path = folder + "/digits-labels.idx1-ubyte"
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError.self) { try Self.load(result) }
    }
}
