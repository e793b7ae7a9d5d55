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

    func run() throws {
        // A trial of a sweep inherits the sweep's ignored SIGINT and SIGTERM: until the handlers
        // below are installed, a signal ends the run as it would any program.
        InterruptFlag.restoreDefaults()
        let session = try ModelSession.open(spec, options: specOptions, purpose: .run)
        let outputs = RunOutputs(directory: out ?? "runs/\(session.name)")
        let saved = resume ? try savedTraining(in: outputs) : nil
        let environmentThreads = ProcessInfo.processInfo.environment["DLC_THREADS"].flatMap(Int.init)
        let threadCount = try Threads.configure(threads ?? (environmentThreads == nil ? saved?.origin.threads : nil))
        var program = try session.program()
        if let seed = seed ?? saved?.origin.seed { program.configuration.seed = seed }
        if let epochs = epochs ?? saved?.origin.epochs {
            guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
            program.configuration.epochs = epochs
        }
        // An unwritable `--out` is an error before minutes of data loading; the folder itself is
        // made once the data and the plans are known to fit.
        func unwritable(_ reason: String) -> ExitCode {
            Console.error("error: cannot write the run folder `\(outputs.directory)`: \(reason)\n")
            return ExitCode(1)
        }
        if let reason = outputs.unwritableReason { throw unwritable(reason) }
        let data = try session.loadData()
        let origin = SavedTraining.origin(session: session, data: data, seed: program.configuration.seed,
                                          epochs: program.configuration.epochs, threads: threadCount)
        if let saved { try checkResumable(saved, now: origin, outputs: outputs) }
        let evaluationBatch = try session.checkMemory(program, data: data, evaluates: true)
        do { try outputs.prepare(keepingTrainingState: saved != nil) } catch { throw unwritable(error.localizedDescription) }
        let interrupt = InterruptFlag()
        interrupt.install(repeatedTerminationQuits: !ParentWatch.isTrial)
        ParentWatch.install()
        Console.error("training \(session.name): \(data.train.count) examples"
            + (data.validation.map { ", \($0.count) for validation" } ?? "")
            + (data.test.map { ", \($0.count) for test" } ?? "")
            + ", \(program.parameters.reduce(0) { $0 + $1.elementCount }) parameters\n")

        let trainer = Trainer(program: program)
        trainer.evaluationBatchSize = evaluationBatch
        if saved == nil {
            let loaded = try InitialWeights.load(session, into: trainer.parameters)
            if loaded > 0 { Console.error("started \(loaded) tensor\(loaded == 1 ? "" : "s") from a checkpoint (`init`)\n") }
        }
        var resumed: TrainingState?
        if let saved {
            do { resumed = try saved.state(for: trainer) } catch {
                Console.error("error: cannot resume the run in `\(outputs.directory)`: \(error)\n")
                throw ExitCode(1)
            }
            // Only the full batch and the epoch's last, smaller one have plans (and dropout streams).
            let batch = max(1, min(program.configuration.batchSize, data.train.count))
            let sizes: Set<Int> = [batch, data.train.count % batch == 0 ? batch : data.train.count % batch]
            if let odd = resumed?.dropoutStreams.keys.first(where: { !sizes.contains($0) }) {
                Console.error("error: cannot resume the run in `\(outputs.directory)`: the saved training state is damaged: "
                              + "it has a dropout stream for batches of \(odd), which this run never makes\n")
                throw ExitCode(1)
            }
            Console.error("resuming after epoch \(resumed?.epochsCompleted ?? 0) of \(program.configuration.epochs)\n")
        }
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
        let progress = ProgressPrinter(epochs: program.configuration.epochs, live: Terminal.stderrIsTerminal)
        trainer.onStep = progress.live ? { progress.step($0) } : nil
        let result: FitResult
        do {
            result = try trainer.fit(train: data.train, validation: data.validation, resuming: resumed,
                                     shouldStop: { interrupt.isRaised }, onEpoch: { progress.epoch($0) }, afterEpoch: save)
        } catch {
            try writeFailure(error, outputs: outputs, session: session, program: program)
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
        let status: RunStatus = result.outcome == .completed ? .completed : (result.outcome == .stoppedEarly ? .stoppedEarly : .interrupted)
        let samples = Double(data.train.count * result.epochs.count)
        var summary = RunSummary(name: session.name, status: status, epochsCompleted: result.epochs.count, bestEpoch: result.bestEpoch,
                                 seconds: result.seconds, samplesPerSecond: result.seconds > 0 ? samples / result.seconds : 0,
                                 parameters: trainer.parameters.totalCount, metrics: metrics)
        if !confusion.isEmpty { summary.confusion = ConfusionMatrices(classes: data.train.classNames, splits: confusion) }
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
        Console.error("wrote \(outputs.directory)/{model.safetensors, metrics.csv, summary.json, spec.yaml}\n")
        if result.outcome == .interrupted {
            if FileManager.default.fileExists(atPath: outputs.path(SavedTraining.fileName)) {
                Console.error("continue it with: dlc run \(spec) --out \(outputs.directory) --resume\n")
            }
            throw ExitCode(interrupt.exitStatus)
        }
    }

    /// The run folder's saved state for `--resume`; nil (with a note) when no epoch finished.
    /// Exits 0 when the run there already completed, 1 when the state is damaged.
    private func savedTraining(in outputs: RunOutputs) throws -> SavedTraining? {
        let found: SavedTraining?
        do { found = try SavedTraining.read(outputs.path(SavedTraining.fileName)) } catch {
            Console.error("error: cannot resume the run in `\(outputs.directory)`: \(error)\n")
            throw ExitCode(1)
        }
        if let found { return found }
        if let bytes = FileManager.default.contents(atPath: outputs.path("summary.json")),
           let summary = try? JSONDecoder().decode(RunSummary.self, from: bytes), summary.status == .completed || summary.status == .stoppedEarly {
            Console.error("the run in `\(outputs.directory)` already \(summary.status == .completed ? "completed" : "stopped early"); nothing to resume\n")
            throw ExitCode.success
        }
        Console.error("note: nothing to resume in `\(outputs.directory)` (no epoch finished there); training from the start\n")
        return nil
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
