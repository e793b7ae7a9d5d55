import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `dlc sweep` under signals. Before: SIGINT or SIGTERM ended the sweep without a leaderboard
/// while its trials trained on; SIGKILL left them running unseen; an earlier sweep's
/// leaderboard and best.yaml stayed as if they were this one's.
@Suite("Sweep faults", .serialized)
struct SweepFaultTests {
    /// The iris sweep with epochs enough for a signal to find trials running.
    static func slowSweep(in folder: String) throws -> String {
        let text = try String(contentsOfFile: DLC.spec("iris-sweep.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "epochs: 100", with: "epochs: 2000")
            .replacingOccurrences(of: "data/iris.csv", with: DLC.repository + "/specs/data/iris.csv")
        let path = folder + "/slow-sweep.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func trialProcesses(of folder: String) -> Int {
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        // No leading dash: pgrep would read the pattern as an option.
        pgrep.arguments = ["-f", "out \(folder)/trial-"]
        let pipe = Pipe()
        pgrep.standardOutput = pipe
        try? pgrep.run()
        pgrep.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").count
    }

    static func sweepStatus(_ folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: folder + "/sweep.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["status"] as? String
    }

    @Test("Signals at random moments of a sweep", arguments: [SIGINT, SIGTERM, SIGKILL])
    func signals(number: Int32) throws {
        let folder = DLC.scratch("sweep-\(number)")
        let spec = try Self.slowSweep(in: folder)
        let out = folder + "/sweep"
        // An earlier, finished sweep in the same folder.
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("trial,status\n".utf8).write(to: URL(fileURLWithPath: out + "/leaderboard.csv"))
        try Data("# old\n".utf8).write(to: URL(fileURLWithPath: out + "/best.yaml"))
        let command = try Command(["sweep", spec, "--out", out, "--jobs", "2"])
        #expect(command.waitFor("[", seconds: 60), "\(command.stderr)")
        // The first progress line may come a moment before a trial's process shows (a loaded machine).
        var running = Self.trialProcesses(of: out)
        for _ in 0..<50 where running == 0 {
            usleep(100_000)
            running = Self.trialProcesses(of: out)
        }
        #expect(running > 0, "the trials are found while they run")
        usleep(UInt32.random(in: 0...500_000))
        command.signal(number)
        let status = command.finish()
        // The trials end with the sweep (SIGKILL: through their parent-death signal).
        var waited = 0
        while Self.trialProcesses(of: out) > 0 && waited < 100 { usleep(100_000); waited += 1 }
        #expect(Self.trialProcesses(of: out) == 0, "trials still running after the sweep ended")
        #expect(!FileManager.default.fileExists(atPath: out + "/best.yaml"), "an interrupted sweep names no best trial")
        for trial in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where trial.hasPrefix("trial-") {
            expectHonestRunFolder(out + "/" + trial)
        }
        if number == SIGKILL {
            #expect(status == 128 + SIGKILL)
            #expect(Self.sweepStatus(out) == "running")
            #expect(!FileManager.default.fileExists(atPath: out + "/leaderboard.csv"))
        } else {
            #expect(status == 128 + number, "\(command.stderr)")
            #expect(Self.sweepStatus(out) == "interrupted")
            let board = try String(contentsOfFile: out + "/leaderboard.csv", encoding: .utf8)
            #expect(board.split(separator: "\n").count == 28, "every trial has a row: \(board)")
        }
    }

    /// The leaderboard without its timing column, row by row.
    static func boardWithoutSeconds(_ folder: String) throws -> [String] {
        let lines = try String(contentsOfFile: folder + "/leaderboard.csv", encoding: .utf8).split(separator: "\n")
        return lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
    }

    @Test("A killed sweep, run again, continues its unfinished trials to the uninterrupted sweep's leaderboard and checkpoints")
    func killedSweepContinues() throws {
        let folder = DLC.scratch("sweep-continue")
        let text = try String(contentsOfFile: DLC.spec("iris-sweep.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "epochs: 100", with: "epochs: 400")
            .replacingOccurrences(of: "hidden_layers: [1, 2, 3]", with: "hidden_layers: [1, 2]")
            .replacingOccurrences(of: "neurons: [8, 16, 32]", with: "neurons: [8, 16]")
            .replacingOccurrences(of: "data/iris.csv", with: DLC.repository + "/specs/data/iris.csv")
        let spec = folder + "/sweep.yaml"
        try text.write(toFile: spec, atomically: true, encoding: .utf8)
        let reference = folder + "/reference"
        var (status, stderr) = try Command.run(["sweep", spec, "--out", reference, "--jobs", "2"], within: 300)
        #expect(status == 0, "\(stderr)")

        let out = folder + "/sweep"
        let command = try Command(["sweep", spec, "--out", out, "--jobs", "2"])
        #expect(command.waitFor("[3/", seconds: 120), "\(command.stderr)")
        // Until two running trials have finished an epoch's state.
        var waited = 0
        func states() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter {
                FileManager.default.fileExists(atPath: out + "/" + $0 + "/training-state.safetensors")
            }.count
        }
        while states() < 2 && waited < 200 { usleep(20_000); waited += 1 }
        command.signal(SIGKILL)
        command.finish()
        waited = 0
        while Self.trialProcesses(of: out) > 0 && waited < 100 { usleep(100_000); waited += 1 }
        let unfinished = states()
        #expect(unfinished >= 1, "the kill left trials with a state to continue from")

        (status, stderr) = try Command.run(["sweep", spec, "--out", out, "--jobs", "2"], within: 300)
        #expect(status == 0, "\(stderr)")
        #expect(try Self.boardWithoutSeconds(out) == Self.boardWithoutSeconds(reference))
        let resumedLogs = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter {
            ((try? String(contentsOfFile: out + "/" + $0 + "/log.txt", encoding: .utf8)) ?? "").contains("resuming after epoch")
        }
        #expect(resumedLogs.count == unfinished, "each unfinished trial went on from its state: \(resumedLogs)")
        for trial in resumedLogs {
            let mine = FileManager.default.contents(atPath: out + "/" + trial + "/model.safetensors")
            #expect(mine != nil && mine == FileManager.default.contents(atPath: reference + "/" + trial + "/model.safetensors"),
                    "\(trial)'s checkpoint is the uninterrupted sweep's")
        }
    }
}
