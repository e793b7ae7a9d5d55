import ArgumentParser
import DLCCheck
import DLCRuntime
import DLCSpec
import Foundation

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run the spec's `sweep:` trials, N at a time, and write a leaderboard and the best spec.",
        discussion: """
            Writes runs/NAME/sweep/: one run folder per trial, leaderboard.csv, sweep.json and best.yaml. \
            Running the same command again resumes: finished trials are kept. Under `mpirun -n N`, the N ranks \
            share the trials out (each runs whole trials) and rank 0 writes the leaderboard.
            """
    )

    @Argument(help: "The spec with a `sweep:` section.")
    var spec: String

    @Option(help: "Trials run at once, each in its own process (BLAS threads are shared out among them).")
    var jobs = 1

    @Option(help: "The sweep folder (default: runs/NAME/sweep).")
    var out: String?

    @Flag(help: "Share the trials out among the ranks of an MPI job (dlc sees `mpirun`'s environment by itself; this flag is for other launchers).")
    var distributed = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        let group = try RankGroup.start(forced: distributed)
        let session = try group.agree { try ModelSession.open(spec, options: specOptions, purpose: .run) }
        let sweep = try group.agree { () throws -> SweepSpec in
            guard let sweep = session.spec.sweep else {
                Console.error("error: `\(spec)` has no `sweep:` section; add one, or train it with `dlc run`\n")
                throw ExitCode(1)
            }
            return sweep
        }
        let directory = out ?? "runs/\(session.name)/sweep"
        try group.agree {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                Console.error("error: cannot create `\(directory)`: \(error.localizedDescription)\n")
                throw ExitCode(1)
            }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let ranksHere = group.isDistributed ? RankGroup.launched?.localSize ?? 1 : 1
        let runner = TrialRunner(spec: spec, directory: directory, overrides: specOptions.overrides,
                                 threads: max(1, cores / (jobs * max(ranksHere, 1))), jobs: jobs, metric: sweep.metric.value,
                                 maximizes: sweep.maximizes)
        if group.isDistributed {
            runner.share = (group.rank, group.size)
            runner.exchange = { mine in Self.exchange(mine, group: group) }
        }
        let trials = SweepPlan.trials(sweep, seed: UInt64(session.spec.training?.seed ?? 0))
        let epochs = session.spec.training?.epochs?.value ?? 1
        let board = Leaderboard(results: [], dimensions: sweep.dimensions.map(\.name), metric: sweep.metric.value,
                                maximizes: sweep.maximizes)
        // An earlier sweep's leaderboard must not stand for this one while it runs or if it is killed.
        try group.agree {
            guard group.isLeader else { return }
            do { try board.begin(in: directory, trials: trials.count) } catch {
                Console.error("error: cannot write to `\(directory)`: \(error)\n")
                throw ExitCode(1)
            }
        }
        // The ranks have no more steps to agree on before the end: each round's results are exchanged.
        defer { group.finish() }
        let interrupt = InterruptFlag()
        interrupt.onRaise = { [runner] number in runner.stop(signal: number) }
        interrupt.install()
        Console.error("sweep \(session.name): \(trials.count) trials (\(sweep.strategy.rawValue)), ranked by \(sweep.metric.value), \(jobs) at a time"
                      + (group.isDistributed ? " on each of \(group.size) ranks" : "") + "\n")
        var results: [TrialResult]
        switch sweep.strategy {
        case .grid, .random:
            results = runner.run(trials, epochs: nil)
        case .halving:
            results = runHalving(trials, runner: runner, reduction: sweep.reduction, epochs: epochs)
        }
        results = Self.complete(results, with: trials, folder: runner.folder)
        let finished = !(group.isDistributed ? Self.anyRank(interrupt.isRaised, group: group) : interrupt.isRaised)
        guard group.isLeader else {
            if !finished { throw ExitCode(interrupt.isRaised ? interrupt.exitStatus : 130) }
            return
        }
        try Leaderboard(results: results, dimensions: board.dimensions, metric: board.metric, maximizes: board.maximizes)
            .write(to: directory, spec: spec, finished: finished)
        if !finished {
            let done = results.filter { $0.status == "completed" || $0.status == "stopped_early" }.count
            Console.error("sweep interrupted: \(done) of \(trials.count) trials finished; wrote \(directory)/{leaderboard.csv, sweep.json}; "
                          + "run the same command again to finish it\n")
            throw ExitCode(interrupt.exitStatus)
        }
        if let best = Leaderboard.best(results, metric: sweep.metric.value, maximizes: sweep.maximizes) {
            let values = best.trial.values.map { "\($0.name)=\($0.text)" }.joined(separator: ", ")
            Console.error("best: trial \(best.trial.index) (\(values)): \(sweep.metric.value) \(ProgressPrinter.format(best.metrics[sweep.metric.value] ?? .nan))\n")
            Console.error("wrote \(directory)/{leaderboard.csv, sweep.json, best.yaml}\n")
        } else {
            Console.error("error: no trial finished\n")
            throw ExitCode(1)
        }
    }

    /// Every rank's results of a round, on every rank, in trial order.
    private static func exchange(_ mine: [TrialResult], group: RankGroup) -> [TrialResult] {
        let encoded = (try? JSONEncoder().encode(mine)).map { [UInt8]($0) } ?? []
        let all = group.collective.gatherVariable(encoded).flatMap { bytes in
            (try? JSONDecoder().decode([TrialResult].self, from: Data(bytes))) ?? []
        }
        return all.sorted { $0.trial.index < $1.trial.index }
    }

    /// Whether any rank's flag is set.
    private static func anyRank(_ flag: Bool, group: RankGroup) -> Bool {
        group.collective.gather([flag ? 1 : 0]).contains { $0.first == 1 }
    }

    /// Successive halving: every trial gets a few epochs, the best 1/`reduction` continue with
    /// `reduction` times as many, until the spec's epochs.
    private func runHalving(_ trials: [SweepTrial], runner: TrialRunner, reduction: Int, epochs: Int) -> [TrialResult] {
        var rounds = 1
        var budget = epochs
        while budget / reduction >= 1, Int(pow(Double(reduction), Double(rounds))) <= trials.count { budget /= reduction; rounds += 1 }
        var alive = trials
        var final: [Int: TrialResult] = [:]
        for round in 0..<rounds {
            let roundEpochs = round == rounds - 1 ? epochs : max(1, budget * Int(pow(Double(reduction), Double(round))))
            Console.error("round \(round + 1)/\(rounds): \(alive.count) trials, \(roundEpochs) epochs each\n")
            let results = runner.run(alive, epochs: roundEpochs)
            for result in results { final[result.trial.index] = result }
            let ranked = Leaderboard.ranked(results, metric: runner.metric, maximizes: runner.maximizes)
            alive = ranked.prefix(max(1, ranked.count / reduction)).map(\.trial)
        }
        return Array(final.values)
    }

    /// Every trial once, in index order: the last result of each (halving runs some several
    /// times), and `not_run` for those the sweep never reached.
    static func complete(_ results: [TrialResult], with trials: [SweepTrial], folder: (SweepTrial) -> String) -> [TrialResult] {
        var byIndex: [Int: TrialResult] = [:]
        for result in results { byIndex[result.trial.index] = result }
        return trials.map { trial in
            byIndex[trial.index] ?? TrialResult(trial: trial, status: "not_run", metrics: [:], epochs: 0, seconds: 0, folder: folder(trial))
        }
    }
}
