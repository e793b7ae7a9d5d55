import DLCRuntime
import Foundation
import Testing

/// `init: {checkpoint: PATH}` and `trainable: false`, end to end through the built `dlc`.
@Suite("Fine-tuning from a checkpoint", .serialized)
struct FineTuneTests {
    static func tensors(_ path: String) throws -> [String: SafetensorsTensor] {
        Dictionary(try Safetensors.read(path: path).tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("A frozen layer keeps the checkpoint's values bit for bit, has no optimizer state, and shows as frozen")
    func frozenBodyNewHead() throws {
        let folder = DLC.scratch("finetune")
        let base = folder + "/base"
        var (status, stderr) = try Command.run(["run", DLC.spec("digits-mlp.yaml"), "--out", base, "--epochs", "3"])
        #expect(status == 0, "\(stderr)")
        let spec = try String(contentsOfFile: DLC.spec("digits-mlp.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "data/digits.csv", with: DLC.repository + "/specs/data/digits.csv")
            .replacingOccurrences(of: "    - dense: {units: $neurons}\n    - batchnorm\n",
                                  with: "    - dense: {units: $neurons, name: body, trainable: false, init: {checkpoint: base/model.safetensors, layer: dense_0}}\n"
                                      + "    - batchnorm: {init: {checkpoint: base/model.safetensors, layer: batchnorm_1}}\n")
            .replacingOccurrences(of: "    - dense: {units: 10, activation: softmax}", with: "    - dense: {units: 10, activation: softmax, name: head}")
        #expect(spec.contains("name: body") && spec.contains("name: head"))
        try spec.write(toFile: folder + "/finetune.yaml", atomically: true, encoding: .utf8)

        let check = try Command(["check", folder + "/finetune.yaml"], shell: "\"$DLC\" check '\(folder)/finetune.yaml' 1>&2")
        #expect(check.finish() == 0)
        #expect(check.stderr.contains("frozen") && check.stderr.contains("8,320 frozen"), "\(check.stderr)")

        // Killed after an epoch: the saved optimizer state leaves the frozen layer out.
        let out = folder + "/tuned"
        let command = try Command(["run", folder + "/finetune.yaml", "--out", out, "--epochs", "100"])
        #expect(command.waitFor("epoch 2/", seconds: 60), "\(command.stderr)")
        #expect(command.stderr.contains("started 6 tensors from a checkpoint"), "\(command.stderr)")
        command.signal(SIGKILL)
        command.finish()
        let state = try Self.tensors(out + "/training-state.safetensors")
        #expect(state["optimizer/momentum/head.weight"] != nil)
        #expect(state["optimizer/momentum/body.weight"] == nil, "a frozen layer has no optimizer state")

        (status, stderr) = try Command.run(["run", folder + "/finetune.yaml", "--out", out, "--epochs", "100", "--resume"])
        #expect(status == 0, "\(stderr)")
        let before = try Self.tensors(base + "/model.safetensors"), after = try Self.tensors(out + "/model.safetensors")
        for (mine, theirs) in [("body.weight", "dense_0.weight"), ("body.bias", "dense_0.bias")] {
            let frozen = try #require(after[mine]), original = try #require(before[theirs])
            #expect(frozen.isBitwiseEqual(to: SafetensorsTensor(name: mine, shape: original.shape, values: original.values)),
                    "\(mine) changed while frozen")
        }
        let trained = try #require(after["batchnorm_1.weight"]), started = try #require(before["batchnorm_1.weight"])
        #expect(trained.values != started.values, "the unfrozen batch norm trained on from the checkpoint")
    }
}
