import ArgumentParser
import DLCCheck
import DLCData
import DLCRuntime
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Check, compile and train a spec; write the checkpoint, metrics and summary.",
        discussion: """
            Writes model.safetensors, metrics.csv, summary.json and spec.yaml to --out (default runs/NAME); \
            summary.json comes last and says whether the run completed. After every epoch the run also saves \
            training-state.safetensors, from which `--resume` continues a run that was killed or interrupted.
            """
    )

    @Argument(help: "The spec to train.")
    var spec: String

    @Option(help: "The run folder (default: runs/NAME).")
    var out: String?

    @Option(help: "BLAS threads (default: every core).")
    var threads: Int?

    @Option(help: "The training seed (initialization, shuffling, dropout); the data split keeps the spec's seed.")
    var seed: UInt64?

    @Option(help: "Train for this many epochs instead of the spec's.")
    var epochs: Int?

    @Flag(help: "Continue the run in the run folder from its last finished epoch, with its seed, epochs and threads unless given; the result is the one an uninterrupted run writes.")
    var resume = false

    @OptionGroup var specOptions: SpecOptions

    @Flag(help: "Train data-parallel over the ranks of an MPI job (dlc sees `mpirun`'s environment by itself; this flag is for other launchers).")
    var distributed = false

    func run() throws {
        // A trial of a sweep inherits the sweep's ignored SIGINT and SIGTERM: until the handlers
        // below are installed, a signal ends the run as it would any program.
        InterruptFlag.restoreDefaults()
        // Under `mpirun`, every rank takes each step below and all go on only if all succeed;
        // rank 0 reads and writes the run folder and prints.
        let group = try RankGroup.start(forced: distributed)
        let session = try group.agree { try ModelSession.open(spec, options: specOptions, purpose: .run) }
        let outputs = RunOutputs(directory: out ?? "runs/\(session.name)")
        var savedBytes = try group.agree { group.isLeader && resume ? try savedTrainingBytes(in: outputs) : nil }
        if group.isDistributed && resume {
            let sent = group.fromLeader(savedBytes.map { [1] + $0 } ?? [])
            savedBytes = sent.isEmpty ? nil : Array(sent.dropFirst())
        }
        let saved = try group.agree { try savedBytes.map { try decodeSaved($0, in: outputs) } }
        let environmentThreads = ProcessInfo.processInfo.environment["DLC_THREADS"].flatMap(Int.init)
        let threadCount = try group.agree {
            try Threads.configure(threads ?? (environmentThreads == nil ? saved?.origin.threads ?? group.defaultThreads : nil))
        }
        var program = try group.agree { try session.program(gradientBlock: group.isDistributed) }
        if let seed = seed ?? saved?.origin.seed { program.configuration.seed = seed }
        // An unwritable `--out` is an error before minutes of data loading; the folder itself is
        // made once the data and the plans are known to fit.
        func unwritable(_ reason: String) -> ExitCode {
            Console.error("error: cannot write the run folder `\(outputs.directory)`: \(reason)\n")
            return ExitCode(1)
        }
        try group.agree {
            if let epochs = epochs ?? saved?.origin.epochs {
                guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
                program.configuration.epochs = epochs
            }
            if group.isLeader, let reason = outputs.unwritableReason { throw unwritable(reason) }
        }
        let data = try group.agree { try session.loadData() }
        let origin = SavedTraining.origin(session: session, data: data, seed: program.configuration.seed,
                                          epochs: program.configuration.epochs, threads: threadCount, ranks: group.size)
        if group.isDistributed { try requireSameOrigin(origin, group: group) }
        if let saved { try group.agree { try checkResumable(saved, now: origin, outputs: outputs) } }
        let evaluationBatch = try group.agree { try session.checkMemory(program, data: data, evaluates: true) }
        try group.agree {
            guard group.isLeader else { return }
            do { try outputs.prepare(keepingTrainingState: saved != nil) } catch { throw unwritable(error.localizedDescription) }
        }
        let interrupt = InterruptFlag()
        if group.isDistributed {
            interrupt.explanation = !group.isLeader ? "" : "the MPI job is ending (a rank ended, or the job was stopped); rank 0 saved the training state "
                + "after each epoch: `mpirun ... dlc run \(spec) --out \(outputs.directory) --resume` continues from the last"
        }
        interrupt.install(repeatedTerminationQuits: !ParentWatch.isTrial)
        ParentWatch.install()
        Console.error("training \(session.name): \(data.train.count) examples"
            + (data.validation.map { ", \($0.count) for validation" } ?? "")
            + (data.test.map { ", \($0.count) for test" } ?? "")
            + ", \(program.parameters.reduce(0) { $0 + $1.elementCount }) parameters"
            + (group.isDistributed ? ", on \(group.size) ranks of \(threadCount) thread\(threadCount == 1 ? "" : "s")" : "") + "\n")

        let trainer = Trainer(program: program)
        trainer.evaluationBatchSize = evaluationBatch
        trainer.collective = group.collective
        // Rank 0's parameters are every rank's once training starts: only it reads `init`'s checkpoint.
        try group.agree {
            guard saved == nil, group.isLeader else { return }
            let loaded = try InitialWeights.load(session, into: trainer.parameters)
            if loaded > 0 { Console.error("started \(loaded) tensor\(loaded == 1 ? "" : "s") from a checkpoint (`init`)\n") }
        }
        let resumed = try group.agree { () throws -> TrainingState? in
            guard let saved else { return nil }
            do { return try saved.state(for: trainer) } catch {
                Console.error("error: cannot resume the run in `\(outputs.directory)`: \(error)\n")
                throw ExitCode(1)
            }
        }
        if let resumed { Console.error("resuming after epoch \(resumed.epochsCompleted) of \(program.configuration.epochs)\n") }
        var saving = SavingPolicy()
        func save(_ capture: () -> TrainingState) {
            guard saving.isDue() else { return }
            let start = Date()
            do {
                try SavedTraining.write(capture(), origin: origin, trainer: trainer, to: outputs.path(SavedTraining.fileName))
            } catch {
                if !saving.failed { Console.error("\nwarning: cannot save the training state to resume from: \(error)\n") }
                saving.failed = true
            }
            saving.saved(cost: Date().timeIntervalSince(start))
        }
        let progress = ProgressPrinter(epochs: program.configuration.epochs, live: group.isLeader && Terminal.stderrIsTerminal)
        trainer.onStep = progress.live ? { progress.step($0) } : nil
        let result: FitResult
        do {
            result = try trainer.fit(train: data.train, validation: data.validation, resuming: resumed,
                                     shouldStop: { interrupt.isRaised }, onEpoch: { if group.isLeader { progress.epoch($0) } },
                                     afterEpoch: group.isLeader ? save : nil)
        } catch {
            // Every rank sees the same summed loss, so all stop here together.
            if group.isLeader { try writeFailure(error, outputs: outputs, session: session, program: program) }
            group.finish()
            throw ExitCode(1)
        }
        var metrics: [String: Double] = [:]
        var confusion: [String: [[Int]]] = [:]
        for (prefix, split) in [("train", data.train), ("val", data.validation), ("test", data.test)] {
            guard let split else { continue }
            let evaluation = trainer.evaluate(split)
            metrics["\(prefix)_loss"] = evaluation.loss
            for (name, value) in evaluation.metrics { metrics["\(prefix)_\(name)"] = value }
            if let counts = evaluation.confusion { confusion[prefix] = counts }
        }
        // The ranks have nothing more to do together; only rank 0 writes.
        group.finish()
        let status: RunStatus = result.outcome == .completed ? .completed : (result.outcome == .stoppedEarly ? .stoppedEarly : .interrupted)
        guard group.isLeader else {
            if result.outcome == .interrupted { throw ExitCode(interrupt.exitStatus == 0 ? 130 : interrupt.exitStatus) }
            return
        }
        let samples = Double(data.train.count * result.epochs.count)
        var summary = RunSummary(name: session.name, status: status, epochsCompleted: result.epochs.count, bestEpoch: result.bestEpoch,
                                 seconds: result.seconds, samplesPerSecond: result.seconds > 0 ? samples / result.seconds : 0,
                                 parameters: trainer.parameters.totalCount, metrics: metrics)
        if !confusion.isEmpty { summary.confusion = ConfusionMatrices(classes: data.train.classNames, splits: confusion) }
        if group.isDistributed {
            summary.ranks = group.size
            summary.communicationShare = trainer.stepSeconds > 0 ? trainer.communicationSeconds / trainer.stepSeconds : 0
        }
        do {
            try outputs.write(summary, checkpoint: trainer.parameters, epochs: result.epochs, metrics: program.metrics,
                              session: session, data: data)
        } catch {
            Console.error("error: cannot write the run to `\(outputs.directory)`: \(error); nothing of it was kept\n")
            throw ExitCode(1)
        }
        // Only a run that will not go on loses its state; an interrupted one can be resumed.
        if result.outcome != .interrupted { outputs.removeTrainingState() }
        let shown = metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(ProgressPrinter.format($0.value))" }.joined(separator: "  ")
        Console.error("\(status.rawValue) after \(result.epochs.count) epochs in \(String(format: "%.2f", result.seconds))s: \(shown)\n")
        if group.isDistributed {
            Console.error("\(group.size) ranks: \(String(format: "%.1f", 100 * (summary.communicationShare ?? 0)))% of the training steps' time in the gradients' sum\n")
        }
        Console.error("wrote \(outputs.directory)/{model.safetensors, metrics.csv, summary.json, spec.yaml}\n")
        if result.outcome == .interrupted {
            if FileManager.default.fileExists(atPath: outputs.path(SavedTraining.fileName)) {
                Console.error("continue it with: dlc run \(spec) --out \(outputs.directory) --resume\n")
            }
            throw ExitCode(interrupt.exitStatus == 0 ? 130 : interrupt.exitStatus)
        }
    }

    /// Every rank compares its spec and data (after loading, hashed) with rank 0's, and a rank
    /// whose differ says how before any training.
    private func requireSameOrigin(_ origin: SavedTraining.Origin, group: RankGroup) throws {
        var mine = origin
        mine.threads = 0
        let sent = group.fromLeader((try? JSONEncoder().encode(mine)).map { [UInt8]($0) } ?? [])
        let leaders = try? JSONDecoder().decode(SavedTraining.Origin.self, from: Data(sent))
        try group.agree {
            guard let leaders else { throw ValidationError("rank 0's description of its spec and data does not read") }
            let differences = SavedTraining.differences(saved: leaders, now: mine)
            guard differences.isEmpty else {
                Console.error("error: the spec or data of rank \(group.rank) is not rank 0's (\"the run\" below is rank 0's)\n"
                    + differences.map { "  - \($0)\n" }.joined()
                    + "  help: give every rank the same spec, options and data files\n")
                throw ExitCode(1)
            }
        }
    }

    /// The bytes of the run folder's saved state for `--resume` (checked to read); nil (with a
    /// note) when no epoch finished. Exits 0 when the run there already completed, 1 when the
    /// state is damaged.
    private func savedTrainingBytes(in outputs: RunOutputs) throws -> [UInt8]? {
        let found: [UInt8]?
        do { found = try SavedTraining.readBytes(outputs.path(SavedTraining.fileName)) } catch {
            Console.error("error: cannot resume the run in `\(outputs.directory)`: \(error)\n")
            throw ExitCode(1)
        }
        if let found {
            _ = try decodeSaved(found, in: outputs)
            return found
        }
        if let bytes = FileManager.default.contents(atPath: outputs.path("summary.json")),
           let summary = try? JSONDecoder().decode(RunSummary.self, from: bytes), summary.status == .completed || summary.status == .stoppedEarly {
            Console.error("the run in `\(outputs.directory)` already \(summary.status == .completed ? "completed" : "stopped early"); nothing to resume\n")
            throw ExitCode.success
        }
        Console.error("note: nothing to resume in `\(outputs.directory)` (no epoch finished there); training from the start\n")
        return nil
    }

    /// The saved state in `bytes`; exits 1, saying why, when it is damaged.
    private func decodeSaved(_ bytes: [UInt8], in outputs: RunOutputs) throws -> SavedTraining {
        do { return try SavedTraining.decode(bytes, path: outputs.path(SavedTraining.fileName)) } catch {
            Console.error("error: cannot resume the run in `\(outputs.directory)`: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// Refuses to resume, naming each difference, when the spec, the data, the seed or the epochs
    /// are not the saved run's; notes a change of threads (the last bits of the results may differ).
    private func checkResumable(_ saved: SavedTraining, now: SavedTraining.Origin, outputs: RunOutputs) throws {
        let differences = SavedTraining.differences(saved: saved.origin, now: now)
        if !differences.isEmpty {
            Console.error("error: cannot resume the run in `\(outputs.directory)`: it was started from another spec or data\n"
                + differences.map { "  - \($0)\n" }.joined()
                + "  help: resume with the spec, data and options the run started with, or start a new run without `--resume`\n")
            throw ExitCode(1)
        }
        if saved.origin.threads != now.threads {
            Console.error("note: the run trained on \(saved.origin.threads) threads, this one on \(now.threads): "
                + "its results may differ in the last bits from an uninterrupted run's\n")
        }
        if saved.origin.ranks != now.ranks {
            Console.error("note: the run trained on \(saved.origin.ranks ?? 1) process\(saved.origin.ranks == nil ? "" : "es"), "
                + "this one on \(now.ranks ?? 1): its results may differ in the last bits from an uninterrupted run's\n")
        }
    }

    /// A diverged run: the metrics so far and a summary that says it failed, never a checkpoint.
    private func writeFailure(_ error: TrainingError, outputs: RunOutputs, session: ModelSession, program: TrainingProgram) throws {
        let rate = program.configuration.optimizer.learningRate
        let message = "\(error); lower the learning rate (now \(rate)), add `clip_norm` under `training`, or check the data for extreme values"
        Console.error("\nerror: training diverged: \(message)\n")
        let summary = RunSummary(name: session.name, status: .failed, epochsCompleted: 0, bestEpoch: nil, seconds: 0,
                                 samplesPerSecond: 0, parameters: program.parameters.reduce(0) { $0 + $1.elementCount },
                                 metrics: [:], message: nil)
        outputs.writeFailed(summary, message: "training diverged: \(message)")
        outputs.removeTrainingState()
    }
}

/// BLAS threads: `--threads`, or `DLC_THREADS`, or every core.
enum Threads {
    /// OpenBLAS allocates a buffer of about 128 MiB of address space per thread when its threads
    /// start, and under an address-space limit (`ulimit -v`) too small for them a worker thread
    /// retries its allocation forever: measured, `dlc run` hung at 200,000 KiB.
    static let openBLASBytesPerThread = 128 << 20

    /// Sets OpenBLAS up (loading it) with the thread count; without it, or without the address
    /// space its threads need, an error that says what to do.
    @discardableResult
    static func configure(_ requested: Int?) throws -> Int {
        let environment = ProcessInfo.processInfo.environment["DLC_THREADS"].flatMap(Int.init)
        let count = max(1, requested ?? environment ?? ProcessInfo.processInfo.activeProcessorCount)
        if Memory.addressSpaceLimit != nil {
            let bytes = count.multipliedReportingOverflow(by: openBLASBytesPerThread)
            try ModelSession.require(bytes.overflow ? Int.max : bytes.partialValue + (64 << 20), for: "OpenBLAS's \(count) threads",
                                     advice: "use fewer threads (`--threads` or DLC_THREADS)")
        }
        BLASSetup.configureProcess(threads: count)
        do { try BLASSetup.requireLibrary() } catch {
            Console.error("error: \(error)\n")
            throw ExitCode(1)
        }
        return count
    }
}
