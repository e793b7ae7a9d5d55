import Foundation
import Testing

/// Every input the fuzzers kept (`Fuzz/Corpus/TARGET`, a minimized corpus of the long runs),
/// every input that ever failed (`Fuzz/Regressions/TARGET`) and every seed the CI fuzzing starts
/// from, run once through the same target code as libFuzzer runs, in the ordinary test build
/// (no sanitizer): none may trap, and each target must have inputs to replay.
@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    static func inputs(_ target: String) -> [String] {
        let manager = FileManager.default
        var files: [String] = []
        for folder in ["Fuzz/Corpus/\(target)", "Fuzz/Regressions/\(target)", "Fuzz/Seeds/\(target)"] {
            let path = FuzzSupport.repository + "/" + folder
            for name in ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted() where !name.hasPrefix(".") && name != "README.md" {
                files.append(path + "/" + name)
            }
        }
        return files
    }

    static func replay(_ target: String, through run: (UnsafePointer<UInt8>, Int) -> Void) throws {
        let files = inputs(target)
        #expect(!files.isEmpty, "no inputs for the \(target) target")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            // A pointer even for the empty input, as libFuzzer gives.
            (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer { run($0.baseAddress!, bytes.count) }
        }
    }

    @Test func spec() throws { try Self.replay("spec", through: SpecTarget.run) }
    @Test func csv() throws { try Self.replay("csv", through: CSVTarget.run) }
    @Test func idx() throws { try Self.replay("idx", through: IDXTarget.run) }
    @Test func gzip() throws { try Self.replay("gzip", through: GzipTarget.run) }
    @Test func safetensors() throws { try Self.replay("safetensors", through: SafetensorsTarget.run) }
}
