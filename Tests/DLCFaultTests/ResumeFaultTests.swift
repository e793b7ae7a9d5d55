import DLCRuntime
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `dlc run --resume` after kills at random moments writes the very bytes of an uninterrupted
/// run, and refuses to continue a run from another spec, data or seed. Before the durability
/// issue a killed run left nothing to continue from.
@Suite("Resume after a kill", .serialized)
struct ResumeFaultTests {
    /// The files that must be byte-identical to an uninterrupted run's.
    static let compared = ["metrics.csv", "model.safetensors"]

    static func contents(_ folder: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in compared { files[name] = FileManager.default.contents(atPath: folder + "/" + name) }
        return files
    }

    /// Runs `arguments` into `out` to the end, returning the seconds it took to start training
    /// and to finish.
    static func uninterrupted(_ arguments: [String], out: String) throws -> (untilTraining: Double, total: Double) {
        let start = Date()
        let command = try Command(arguments + ["--out", out])
        #expect(command.waitFor("training ", seconds: 120), "\(command.stderr)")
        let untilTraining = Date().timeIntervalSince(start)
        let status = command.finish()
        #expect(status == 0, "\(command.stderr)")
        return (untilTraining, Date().timeIntervalSince(start))
    }

    /// Kills `arguments` with SIGKILL `rounds` times at random moments (one anywhere, the others
    /// while it trains), resumes each to the end (killing a resumed run too, in one round), and
    /// compares every result with an uninterrupted run's bytes.
    static func killAndResume(_ arguments: [String], name: String, rounds: Int, seed: UInt64) throws {
        let reference = DLC.scratch("\(name)-reference")
        let timing = try uninterrupted(arguments, out: reference)
        let expected = contents(reference)
        #expect(expected.values.count == compared.count)
        #expect(!FileManager.default.fileExists(atPath: reference + "/training-state.safetensors"),
                "a completed run keeps no training state")
        var generator = SeededRandomForTests(seed: seed)
        let training = max(timing.total - timing.untilTraining, 0.05)
        for round in 0..<rounds {
            let out = DLC.scratch("\(name)-\(round)")
            let command = try Command(arguments + ["--out", out])
            var moment = generator.unit() * timing.total
            if round > 0 {
                _ = command.waitFor("training ", seconds: 120)
                moment = generator.unit() * training
            }
            usleep(UInt32(moment * 1_000_000))
            command.signal(SIGKILL)
            command.finish()
            expectHonestRunFolder(out)
            var resumes = 0
            while true {
                let resumed = try Command(arguments + ["--out", out, "--resume"])
                if round == 1 && resumes == 0 {
                    // A kill of the resumed run itself.
                    _ = resumed.waitFor("training ", seconds: 120)
                    usleep(UInt32(generator.unit() * training * 500_000))
                    resumed.signal(SIGKILL)
                    resumed.finish()
                    resumes += 1
                    continue
                }
                let status = resumed.finish()
                #expect(status == 0, "round \(round) (killed at \(moment) s): \(resumed.stderr)")
                break
            }
            for name in compared {
                #expect(contents(out)[name] == expected[name],
                        "round \(round): \(name) after a kill at \(String(format: "%.3f", moment)) s differs from the uninterrupted run's")
            }
            expectHonestRunFolder(out)
        }
    }

    @Test("digits-mlp (dropout, batch norm, warmup and cosine schedule, early stopping) resumes byte-identical after 5 kills")
    func digitsWithDropoutAndSchedule() throws {
        try Self.killAndResume(["run", DLC.spec("digits-mlp.yaml")], name: "digits", rounds: 5, seed: 7)
    }

    @Test("mnist-mlp resumes byte-identical after 5 kills")
    func mnist() throws {
        try Self.killAndResume(["run", DLC.spec("mnist-mlp.yaml")], name: "mnist", rounds: 5, seed: 11)
    }

    @Test("Ctrl-C, then --resume, gives the uninterrupted run's bytes")
    func interruptThenResume() throws {
        let arguments = ["run", DLC.spec("digits-mlp.yaml")]
        let reference = DLC.scratch("sigint-reference")
        _ = try Self.uninterrupted(arguments, out: reference)
        let out = DLC.scratch("sigint")
        let command = try Command(arguments + ["--out", out])
        #expect(command.waitFor("epoch 3/", seconds: 120), "\(command.stderr)")
        command.signal(SIGINT)
        #expect(command.finish() == 130)
        #expect(command.stderr.contains("--resume"), "an interrupted run says how to continue it: \(command.stderr)")
        expectHonestRunFolder(out)
        let (status, stderr) = try Command.run(arguments + ["--out", out, "--resume"])
        #expect(status == 0, "\(stderr)")
        #expect(Self.contents(out) == Self.contents(reference))
    }

    /// A run killed after a few epochs, to resume against changes.
    static func killedRun(_ spec: String, out: String) throws {
        let command = try Command(["run", spec, "--out", out])
        #expect(command.waitFor("epoch 3/", seconds: 120), "\(command.stderr)")
        command.signal(SIGKILL)
        command.finish()
        #expect(FileManager.default.fileExists(atPath: out + "/training-state.safetensors"))
    }

    @Test("A resume against a changed spec, data or seed is refused, naming the difference")
    func changedOrigin() throws {
        let folder = DLC.scratch("changed")
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        let csv = try String(contentsOfFile: DLC.repository + "/specs/data/iris.csv", encoding: .utf8)
        try csv.write(toFile: folder + "/data/iris.csv", atomically: true, encoding: .utf8)
        let spec = try String(contentsOfFile: DLC.spec("iris.yaml"), encoding: .utf8)
        try spec.replacingOccurrences(of: "epochs: 100,", with: "epochs: 100000,")
            .write(toFile: folder + "/iris.yaml", atomically: true, encoding: .utf8)
        let out = folder + "/run"
        try Self.killedRun(folder + "/iris.yaml", out: out)
        let state = try #require(FileManager.default.contents(atPath: out + "/training-state.safetensors"))

        // The spec: the changed line is named.
        try spec.replacingOccurrences(of: "epochs: 100,", with: "epochs: 100000,").replacingOccurrences(of: "neurons: 16", with: "neurons: 24")
            .write(toFile: folder + "/edited.yaml", atomically: true, encoding: .utf8)
        var (status, stderr) = try Command.run(["run", folder + "/edited.yaml", "--out", out, "--resume"])
        #expect(status == 1)
        #expect(stderr.contains("`neurons: 24`") && stderr.contains("`neurons: 16`"), "\(stderr)")

        // The seed.
        (status, stderr) = try Command.run(["run", folder + "/iris.yaml", "--out", out, "--resume", "--seed", "5"])
        #expect(status == 1)
        #expect(stderr.contains("seed was 42, this one's is 5"), "\(stderr)")

        // The data: one cell edited.
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        var edited = lines.map(String.init)
        edited[1] = edited[1].replacingOccurrences(of: "5.1", with: "5.2")
        try edited.joined(separator: "\n").write(toFile: folder + "/data/iris.csv", atomically: true, encoding: .utf8)
        (status, stderr) = try Command.run(["run", folder + "/iris.yaml", "--out", out, "--resume"])
        #expect(status == 1)
        #expect(stderr.contains("the data changed"), "\(stderr)")
        // Nothing was touched by the refusals.
        #expect(FileManager.default.contents(atPath: out + "/training-state.safetensors") == state)
    }

    @Test("A damaged training state is an error; a completed run has nothing to resume")
    func damagedAndCompleted() throws {
        let out = DLC.scratch("damaged")
        try Self.killedRun(DLC.spec("digits-mlp.yaml"), out: out)
        let path = out + "/training-state.safetensors"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes = bytes.prefix(bytes.count / 2)
        try bytes.write(to: URL(fileURLWithPath: path))
        var (status, stderr) = try Command.run(["run", DLC.spec("digits-mlp.yaml"), "--out", out, "--resume"])
        #expect(status == 1)
        #expect(stderr.contains("cannot resume") && stderr.contains("damaged"), "\(stderr)")

        let finished = DLC.scratch("finished")
        (status, stderr) = try Command.run(["run", DLC.spec("iris.yaml"), "--out", finished])
        #expect(status == 0)
        (status, stderr) = try Command.run(["run", DLC.spec("iris.yaml"), "--out", finished, "--resume"])
        #expect(status == 0)
        #expect(stderr.contains("already completed; nothing to resume"), "\(stderr)")
    }
}

/// A small seeded generator, so that a failing round's kill moments can be repeated.
struct SeededRandomForTests {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
