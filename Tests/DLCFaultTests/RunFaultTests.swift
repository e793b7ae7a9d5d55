import DLCRuntime
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `dlc run` under faults: a full disk, an unwritable `--out`, signals at random moments, an
/// address-space limit. Each test failed on dlc before the hardening issue (noted per test).
@Suite("Run faults", .serialized)
struct RunFaultTests {
    /// Before: the checkpoint and metrics stayed, with no summary (48 KiB), or with spec.yaml too
    /// (56 KiB), and an old run's summary would have stayed beside them.
    @Test("A full disk leaves a failed summary and no checkpoint", .enabled(if: canMount), arguments: [48, 56])
    func diskFull(kibibytes: Int) throws {
        let disk = try #require(smallDisk(kibibytes: kibibytes))
        defer { unmount(disk) }
        let out = disk + "/run"
        let (status, stderr) = try Command.run(["run", DLC.spec("digits-mlp.yaml"), "--out", out, "--epochs", "2"])
        #expect(status == 1)
        #expect(stderr.contains("No space left on device"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/model.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: out + "/metrics.csv"))
        let summary = try #require(FileManager.default.contents(atPath: out + "/summary.json"))
        #expect(try JSONDecoder().decode(RunSummary.self, from: summary).status == .failed)
        expectHonestRunFolder(out)
    }

    /// Before: an earlier run's summary.json (status completed) stayed beside the new run's files.
    @Test("A new run into an old run's folder removes the old run's files first")
    func staleFolder() throws {
        let out = DLC.scratch("stale")
        try Data("{\"status\": \"completed\"}".utf8).write(to: URL(fileURLWithPath: out + "/summary.json"))
        try Data("old".utf8).write(to: URL(fileURLWithPath: out + "/model.safetensors"))
        let command = try Command(["run", DLC.spec("iris.yaml"), "--out", out, "--epochs", "100000"])
        #expect(command.waitFor("training ", seconds: 60))
        #expect(!FileManager.default.fileExists(atPath: out + "/summary.json"), "the old summary must be gone once training starts")
        command.signal(SIGKILL)
        command.finish()
        expectHonestRunFolder(out)
    }

    /// Before: the data loaded and the model trained, then writing failed.
    @Test("An unwritable --out is an error before the data loads", .enabled(if: canMount))
    func unwritableOut() throws {
        let disk = try #require(smallDisk(kibibytes: 64))
        defer { unmount(disk) }
        try FileManager.default.createDirectory(atPath: disk + "/run", withIntermediateDirectories: true)
        let remount = Process()
        remount.executableURL = URL(fileURLWithPath: "/bin/mount")
        remount.arguments = ["-o", "remount,ro", disk]
        try remount.run()
        remount.waitUntilExit()
        let (status, stderr) = try Command.run(["run", DLC.spec("digits-mlp.yaml"), "--out", disk + "/run"])
        #expect(status == 1)
        #expect(stderr.contains("cannot write the run folder"), "\(stderr)")
        #expect(!stderr.contains("training "), "no training may start: \(stderr)")
    }

    @Test("--out under a file is an error naming the folder")
    func outUnderFile() throws {
        let folder = DLC.scratch("file")
        FileManager.default.createFile(atPath: folder + "/plain", contents: Data("x".utf8))
        let (status, stderr) = try Command.run(["run", DLC.spec("iris.yaml"), "--out", folder + "/plain/run"])
        #expect(status == 1)
        #expect(stderr.contains("cannot write the run folder `\(folder)/plain/run`"), "\(stderr)")
    }

    /// SIGINT and SIGTERM stop after the current step and write an `interrupted` run; SIGKILL
    /// leaves no summary. Before: SIGTERM killed the run on the spot, leaving an empty folder.
    @Test("Signals at random moments of a run leave an honest folder", arguments: [SIGINT, SIGTERM, SIGKILL])
    func signals(number: Int32) throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<3 {
            let out = DLC.scratch("signal-\(number)-\(round)")
            let command = try Command(["run", DLC.spec("iris.yaml"), "--out", out, "--epochs", "100000"])
            #expect(command.waitFor("training ", seconds: 60))
            usleep(UInt32.random(in: 0...800_000, using: &generator))
            command.signal(number)
            let status = command.finish()
            expectHonestRunFolder(out)
            let summary = FileManager.default.contents(atPath: out + "/summary.json")
                .flatMap { try? JSONDecoder().decode(RunSummary.self, from: $0) }
            switch number {
            case SIGKILL:
                #expect(status == 128 + SIGKILL)
                #expect(summary == nil)
            default:
                #expect(status == 128 + number, "\(command.stderr)")
                #expect(summary?.status == .interrupted, "\(command.stderr)")
            }
        }
    }

    /// Before: "Fatal error: failed to allocate ..." and SIGABRT, or OpenBLAS retrying its
    /// allocation forever (a hang at 200,000 KiB).
    @Test("An address-space limit is an error, not a crash or a hang", arguments: [150_000, 300_000, 500_000, 700_000])
    func addressSpaceLimit(kibibytes: Int) throws {
        let out = DLC.scratch("limit")
        let (status, stderr) = try Command.run(
            [], shell: "ulimit -v \(kibibytes); exec \"$DLC\" run '\(DLC.spec("mnist-mlp.yaml"))' --out '\(out)' --epochs 1 --threads 2",
            within: 120)
        #expect(status == 0 || status == 1, "exit \(status): \(stderr.suffix(600))")
        if status == 1 { #expect(stderr.contains("error: cannot allocate"), "\(stderr.suffix(600))") }
        expectHonestRunFolder(out)
    }
}
