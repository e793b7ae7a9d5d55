import DLCRuntime
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint whose metadata does not fit the spec (edited, or of another spec with the same
/// tensor names). Before: `dlc eval` and `dlc predict` stopped on a precondition (SIGILL or SIGTRAP).
@Suite("Checkpoint faults", .serialized)
struct CheckpointFaultTests {
    /// A fresh iris checkpoint: its path, tensors and metadata.
    static func trainedIris() throws -> (path: String, tensors: [SafetensorsTensor], metadata: [String: String]) {
        let out = DLC.scratch("checkpoint")
        let (trained, log) = try Command.run(["run", DLC.spec("iris.yaml"), "--out", out, "--epochs", "2"])
        try #require(trained == 0, "\(log)")
        let path = out + "/model.safetensors"
        let (tensors, metadata) = try Safetensors.read(path: path)
        return (path, tensors, metadata)
    }

    @Test("A checkpoint with a normalization of the wrong length is refused")
    func wrongNormalization() throws {
        let (path, tensors, saved) = try Self.trainedIris()
        var metadata = saved
        metadata["normalize_offsets"] = "[0, 0]"
        metadata["normalize_scales"] = "[1, 1]"
        try Safetensors.write(tensors, metadata: metadata, to: path)
        for command in [["eval", DLC.spec("iris.yaml"), "--checkpoint", path],
                        ["predict", DLC.spec("iris.yaml"), "--checkpoint", path, "--input", DLC.repository + "/specs/data/iris.csv"]] {
            let (status, stderr) = try Command.run(command)
            #expect(status == 1, "\(command[0]) exited \(status): \(stderr.suffix(400))")
            #expect(stderr.contains("does not fit this spec: its normalization has 2 offsets"), "\(stderr)")
        }
    }

    /// Before: unreadable metadata fell back to defaults (no normalization, no classes) and the
    /// model predicted from unscaled inputs.
    @Test("A checkpoint with unreadable metadata is refused")
    func unreadableMetadata() throws {
        let (path, tensors, original) = try Self.trainedIris()
        for (key, value) in [("normalize", "cubic"), ("classes", "setosa"), ("normalize_scales", "[1, ")] {
            var metadata = original
            metadata[key] = value
            try Safetensors.write(tensors, metadata: metadata, to: path)
            let (status, stderr) = try Command.run(["eval", DLC.spec("iris.yaml"), "--checkpoint", path])
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("its metadata `\(key)` cannot be read"), "\(stderr)")
        }
    }

    /// Before: "You don't have permission" for a device, and a pipe could be waited on forever.
    @Test("A checkpoint that is a device or a pipe is refused at once")
    func notARegularFile() throws {
        let folder = DLC.scratch("fifo")
        let fifo = folder + "/model.safetensors"
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in ["/dev/zero", fifo] {
            let (status, stderr) = try Command.run(["eval", DLC.spec("iris.yaml"), "--checkpoint", path], within: 30)
            #expect(status == 1, "\(stderr)")
            #expect(stderr.contains("`\(path)`: it is not a regular file"), "\(stderr)")
        }
    }
}
