import DLCRuntime
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mpirun -n 2 dlc run` and `dlc sweep` against one process, a killed rank, ranks that disagree,
/// and a missing MPI library. The tests that start `mpirun` need Open MPI (`.ci/install-deps`
/// installs it); the others run anywhere.
@Suite("Data-parallel runs on MPI", .serialized)
struct DistributedTests {
    /// `mpirun` on the PATH, if any.
    static let mpirun: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A shell command line that starts `ranks` ranks of `dlc ARGUMENTS` (quoted by the caller).
    static func launch(_ ranks: Int, _ arguments: String) -> String {
        let root = getuid() == 0 ? " --allow-run-as-root" : ""
        return "exec mpirun\(root) --oversubscribe -n \(ranks) \"$DLC\" \(arguments)"
    }

    static func metrics(_ folder: String) -> [[Double]] {
        let text = (try? String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0) ?? .nan } }
    }

    static func summary(_ folder: String) -> RunSummary? {
        FileManager.default.contents(atPath: folder + "/summary.json").flatMap { try? JSONDecoder().decode(RunSummary.self, from: $0) }
    }

    @Test func aMissingLibraryIsAClearError() throws {
        let out = DLC.scratch("no-mpi")
        let command = try Command(["run", DLC.spec("iris.yaml"), "--out", out, "--distributed"],
                                  environment: ["DLC_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        let status = command.finish()
        #expect(status == 1)
        #expect(command.stderr.contains("cannot load Open MPI"), "\(command.stderr)")
        #expect(command.stderr.contains("apt-get install openmpi-bin libopenmpi-dev"), "\(command.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/summary.json"))
    }

    /// Two ranks follow one process (iris, 100 epochs of Adam: every loss within 1e-5 relative),
    /// and a second 2-rank run writes the very same bytes.
    @Test(.enabled(if: mpirun != nil)) func twoRanksFollowOneProcess() throws {
        let one = DLC.scratch("one-process"), two = DLC.scratch("two-ranks"), again = DLC.scratch("two-ranks-again")
        let single = try Command.run(["run", DLC.spec("iris.yaml"), "--out", one])
        #expect(single.status == 0, "\(single.stderr)")
        for folder in [two, again] {
            let ranks = try Command.run([], shell: Self.launch(2, "run '\(DLC.spec("iris.yaml"))' --out '\(folder)'"))
            #expect(ranks.status == 0, "\(ranks.stderr)")
            #expect(ranks.stderr.contains("on 2 ranks"), "\(ranks.stderr)")
        }
        let expected = Self.metrics(one), found = Self.metrics(two)
        #expect(expected.count == 100 && found.count == 100)
        var largest = 0.0
        for (a, b) in zip(expected, found) {
            // Columns: epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate.
            for column in [1, 3] { largest = max(largest, abs(a[column] - b[column]) / abs(a[column])) }
        }
        #expect(largest < 1e-5, "largest relative difference of a loss: \(largest)")
        #expect(Self.summary(two)?.ranks == 2)
        #expect(Self.summary(one)?.ranks == nil)
        for name in ["metrics.csv", "model.safetensors"] {
            #expect(FileManager.default.contents(atPath: two + "/" + name) == FileManager.default.contents(atPath: again + "/" + name),
                    "\(name) of two 2-rank runs differs")
        }
    }

    /// Killing one rank ends the job within 10 s with a non-zero status and no summary; the
    /// restarted job resumes and writes what an uninterrupted 2-rank run writes.
    @Test(.enabled(if: mpirun != nil)) func aKilledRankEndsTheJobAndTheJobResumes() throws {
        let reference = DLC.scratch("ranks-reference"), out = DLC.scratch("ranks-killed")
        let arguments = "run '\(DLC.spec("mnist-mlp.yaml"))' --epochs 4"
        let uninterrupted = try Command.run([], shell: Self.launch(2, arguments + " --out '\(reference)'"))
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let job = try Command([], shell: Self.launch(2, arguments + " --out '\(out)'"))
        #expect(job.waitFor("epoch 1/4", seconds: 120), "\(job.stderr)")
        let victim = try #require(Self.rank(1, writing: out), "no rank 1 process found")
        let killed = Date()
        kill(victim, SIGKILL)
        let status = job.finish(within: 30)
        let seconds = Date().timeIntervalSince(killed)
        #expect(seconds < 10, "the job ended \(seconds) s after a rank was killed")
        #expect(status != 0)
        #expect(Self.summary(out) == nil, "a killed job left a summary")
        #expect(FileManager.default.fileExists(atPath: out + "/training-state.safetensors"))
        let resumed = try Command.run([], shell: Self.launch(2, arguments + " --out '\(out)' --resume"))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming after epoch"), "\(resumed.stderr)")
        for name in ["metrics.csv", "model.safetensors"] {
            #expect(FileManager.default.contents(atPath: out + "/" + name) == FileManager.default.contents(atPath: reference + "/" + name),
                    "\(name) after a killed rank and a resume differs from the uninterrupted run's")
        }
    }

    /// The process of rank `rank` of a job whose command line names `folder`.
    static func rank(_ rank: Int, writing folder: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains(folder),
                  let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }

    /// A rank started with another spec (a changed learning rate) is an error before training,
    /// naming the difference; nothing is written.
    @Test(.enabled(if: mpirun != nil)) func ranksWithDifferentSpecsAreRefused() throws {
        let folder = DLC.scratch("ranks-differ"), out = folder + "/run"
        let original = try String(contentsOfFile: DLC.spec("iris.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "csv: data/iris.csv", with: "csv: \(DLC.repository)/specs/data/iris.csv")
        try original.write(toFile: folder + "/a.yaml", atomically: true, encoding: .utf8)
        try original.replacingOccurrences(of: "learning_rate: 0.01", with: "learning_rate: 0.02")
            .write(toFile: folder + "/b.yaml", atomically: true, encoding: .utf8)
        let root = getuid() == 0 ? " --allow-run-as-root" : ""
        let result = try Command.run([], shell: "exec mpirun\(root) --oversubscribe -n 1 \"$DLC\" run '\(folder)/a.yaml' --out '\(out)' "
                                         + ": -n 1 \"$DLC\" run '\(folder)/b.yaml' --out '\(out)'")
        #expect(result.status != 0)
        #expect(result.stderr.contains("[rank 1] error: the spec or data of rank 1 is not rank 0's"), "\(result.stderr)")
        #expect(result.stderr.contains("learning_rate: 0.02"), "\(result.stderr)")
        #expect(!result.stderr.contains("epoch 1/"), "training started: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out + "/summary.json"))
        #expect(!FileManager.default.fileExists(atPath: out + "/metrics.csv"))
    }

    /// Two ranks share a sweep's trials out: the leaderboard (all but the seconds) and `best.yaml`
    /// are those of one process running two trials at a time.
    @Test(.enabled(if: mpirun != nil)) func aSweepOnTwoRanksMatchesOneProcess() throws {
        let one = DLC.scratch("sweep-one"), two = DLC.scratch("sweep-two")
        let single = try Command.run(["sweep", DLC.spec("iris-sweep.yaml"), "--out", one, "--jobs", "2"], within: 300)
        #expect(single.status == 0, "\(single.stderr)")
        let ranks = try Command.run([], shell: Self.launch(2, "sweep '\(DLC.spec("iris-sweep.yaml"))' --out '\(two)'"), within: 300)
        #expect(ranks.status == 0, "\(ranks.stderr)")
        #expect(ranks.stderr.contains("[rank 1] "), "rank 1 ran no trial: \(ranks.stderr)")
        func board(_ folder: String) -> [String] {
            let text = (try? String(contentsOfFile: folder + "/leaderboard.csv", encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
        }
        #expect(board(one).count == 28)
        #expect(board(one) == board(two))
        #expect(FileManager.default.contents(atPath: one + "/best.yaml") == FileManager.default.contents(atPath: two + "/best.yaml"))
    }
}
