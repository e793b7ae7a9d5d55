import DLCRuntime
import Foundation
import Testing

/// A checkpoint whose metadata does not fit the spec (edited, or of another spec with the same
/// tensor names). Before: `dlc eval` and `dlc predict` stopped on a precondition (SIGILL or SIGTRAP).
@Suite("Checkpoint faults", .serialized)
struct CheckpointFaultTests {
    @Test("A checkpoint with a normalization of the wrong length is refused")
    func wrongNormalization() throws {
        let out = DLC.scratch("checkpoint")
        let (trained, log) = try Command.run(["run", DLC.spec("iris.yaml"), "--out", out, "--epochs", "2"])
        try #require(trained == 0, "\(log)")
        let path = out + "/model.safetensors"
        var (tensors, metadata) = try Safetensors.read(path: path)
        metadata["normalize_offsets"] = "[0, 0]"
        metadata["normalize_scales"] = "[1, 1]"
        try Safetensors.write(tensors, metadata: metadata, to: path)
        for command in [["eval", DLC.spec("iris.yaml"), "--checkpoint", path],
                        ["predict", DLC.spec("iris.yaml"), "--checkpoint", path, "--input", DLC.repository + "/specs/data/iris.csv"]] {
            let (status, stderr) = try Command.run(command)
            #expect(status == 1, "\(command[0]) exited \(status): \(stderr.suffix(400))")
            #expect(stderr.contains("does not fit this spec: its normalization has 2 offsets"), "\(stderr)")
        }
        tensors.removeAll()
    }
}
