import ArgumentParser
import DLCCheck
import DLCCompile
import DLCData
import DLCDiagnostics
import DLCGraph
import DLCRuntime
import DLCSpec
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A checked spec ready to compile and train: what `run`, `eval`, `predict` and `bench` share.
struct ModelSession {
    let path: String
    let result: CheckResult
    let model: CheckedModel
    var spec: Spec { model.spec }
    var name: String { spec.name?.value ?? "model" }

    /// Checks the spec for `purpose`; on any error prints the diagnostics to stderr and exits 1.
    static func open(_ path: String, options: SpecOptions, purpose: CheckOptions.Purpose, readsData: Bool = true) throws -> ModelSession {
        let result = Checker.check(path: path, options: options.checkOptions(purpose: purpose, readsData: readsData))
        if !result.diagnostics.isEmpty {
            Console.error(DiagnosticRenderer.text(result.diagnostics, in: result.file, color: Terminal.stderrIsTerminal))
        }
        guard let model = result.model, !result.hasErrors else { throw ExitCode(1) }
        return ModelSession(path: path, result: result, model: model)
    }

    /// Reports one diagnostic for this spec on stderr and exits 1.
    func fail(_ diagnostic: Diagnostic) -> ExitCode {
        Console.error(DiagnosticRenderer.text(diagnostic, in: result.file, color: Terminal.stderrIsTerminal))
        return ExitCode(1)
    }

    /// The training program: the compiler's plans for any batch size (for data-parallel
    /// training, `gradientBlock`: with the gradients side by side for the ranks' sum).
    func program(gradientBlock: Bool = false) throws -> TrainingProgram {
        let model = self.model
        let configuration = Compiler.configuration(spec)
        // Lowering alone finds what the runtime cannot compile, and names the parameters; the
        // trainer plans each batch size itself.
        let lowered: Graph
        do {
            lowered = try Lower.lower(model, batchSize: configuration.batchSize, mode: .training)
        } catch {
            throw fail(error.diagnostic)
        }
        // oneDNN's convolutions need no im2col columns kept for the weight gradient.
        let keepsColumns = !DNNLConvolution.isAvailable
        // Every batch size compiles the same way once one did.
        func plan(_ make: @escaping @Sendable (Int) throws(CompileError) -> (Graph, BufferPlan)) -> @Sendable (Int) -> (Graph, BufferPlan) {
            { size in
                do { return try make(size) } catch { preconditionFailure("internal: \(error)") }
            }
        }
        return TrainingProgram(
            name: name, configuration: configuration, metrics: spec.metrics.map(\.value.rawValue),
            parameters: lowered.parameters,
            makeTrainingPlan: plan { size throws(CompileError) in try Compiler.trainingPlan(model, batchSize: size, keepsConvolutionColumns: keepsColumns,
                                                                                  gradientBlock: gradientBlock) },
            makeEvaluationPlan: plan { size throws(CompileError) in try Compiler.forwardPlan(model, batchSize: size, mode: .evaluation) },
            makeInferencePlan: plan { size throws(CompileError) in try Compiler.forwardPlan(model, batchSize: size, mode: .inference) })
    }

    /// Loads, splits, encodes and normalizes the data; a data error is a diagnostic at the spec's path.
    /// With `fixed` (from a checkpoint) the splits are encoded and scaled by it instead of fitting.
    func loadData(fixed: CheckpointInfo? = nil) throws -> LoadedData {
        guard let data = spec.data, let train = data.train else { throw ExitCode(1) }
        if let metadata = model.trainingData {
            // The float32 examples and their split copies, the file's cells (a byte per IDX pixel, more for CSV) and
            // the allocator's slack: measured on MNIST, 9 bytes per value fell short by 5 %; 12 leave a margin.
            let values = metadata.exampleCount * max(1, model.dataShape.reduce(1, *))
            let bytes = values.multipliedReportingOverflow(by: 12)
            try Self.require(bytes.overflow ? Int.max : bytes.partialValue, for: "the data (\(metadata.exampleCount) examples)")
        }
        let task: DatasetTask = model.hasClassLabels ? .classification : .regression
        let seed = UInt64(spec.training?.seed ?? 0)
        let types = DataChecks.columnTypes(data)
        let checks = DataChecks(baseDirectory: result.baseDirectory)
        func attempt<T>(_ source: DataSourceSpec, option: String, _ body: () throws(DataError) -> T) throws -> T {
            do { return try body() } catch { throw fail(checks.diagnostic(for: error, source: source, option: option)) }
        }
        func table(_ source: DataSourceSpec, option: String) throws -> RawTable {
            // The checker read a CSV the same way (a single target as classes, several as values).
            if let table = result.tables[option], table.columns.allSatisfy({ $0.text == nil }) { return table }
            return try attempt(source, option: option) { () throws(DataError) in
                try DatasetLoader.loadTable(DataChecks.description(of: source), baseDirectory: result.baseDirectory, task: task,
                                            seed: seed, columns: types)
            }
        }
        let full = try table(train.value, option: "train")
        var fractions: (validation: Double?, test: Double?) = (nil, nil)
        if case .fraction(let f)? = data.validation?.value { fractions.validation = f }
        if case .fraction(let f)? = data.test?.value { fractions.test = f }
        var rows = DatasetSplitter.indices(full.dataset, validationFraction: fractions.validation, testFraction: fractions.test, seed: seed)
        // The checker fitted the same encoding on the same rows when it read this table.
        let checkerFitted = result.tables["train"].map { $0.dataset.count == full.dataset.count } == true ? model.encoding : nil
        let encoding = full.columns.isEmpty ? nil : fixed?.encoding ?? checkerFitted ?? FeatureEncoding.fit(types, to: full, trainingRows: rows.train)
        func encoded(_ table: RawTable, _ source: DataSourceSpec, option: String) throws -> Dataset {
            guard let encoding else { return table.dataset }
            return try attempt(source, option: option) { () throws(DataError) in try encoding.encode(table).dataset }
        }
        // Training on every row needs no index list (a million rows' is 8 MB, freed before encoding).
        let trainsOnAll = rows.train.count == full.dataset.count
        if trainsOnAll { rows.train = [] }
        Memory.releaseFreedPages()
        let all = try encoded(full, train.value, option: "train")
        var loaded = LoadedData(train: trainsOnAll ? all : all.subset(rows.train),
                                validation: rows.validation.isEmpty ? nil : all.subset(rows.validation),
                                test: rows.test.isEmpty ? nil : all.subset(rows.test),
                                normalizer: Normalizer(mode: .none, offsets: [], scales: []), encoding: encoding)
        if case .source(let source)? = data.validation?.value {
            loaded.validation = try encoded(table(source, option: "validation"), source, option: "validation")
        }
        if case .source(let source)? = data.test?.value { loaded.test = try encoded(table(source, option: "test"), source, option: "test") }
        let mode = Normalizer.Mode(rawValue: data.normalize.rawValue) ?? .none
        loaded.normalizer = fixed?.normalizer ?? Normalizer.fit(mode, to: loaded.train, scaled: encoding?.scaledFeatures)
        loaded.normalizer.apply(to: &loaded.train)
        if var validation = loaded.validation { loaded.normalizer.apply(to: &validation); loaded.validation = validation }
        if var test = loaded.test { loaded.normalizer.apply(to: &test); loaded.test = test }
        return loaded
    }
}

extension ModelSession {
    /// A data file given on the command line, read like the spec's training source and encoded
    /// with `encoding` (the checkpoint's); categories never seen in training are counted in a note.
    func loadExternal(_ path: String, labels: String?, encoding: FeatureEncoding?) throws -> Dataset {
        guard let train = spec.data?.train?.value else { throw ExitCode(1) }
        let description: DataSourceDescription
        switch DataChecks.description(of: train) {
        case .csv(_, let target, let features):
            description = .csv(path: path, target: target, features: encoding.map { $0.columns.map(\.name) } ?? features)
        case .idx, .builtin:
            guard let labels else {
                Console.error("error: `--data` IDX images need `--labels` with the labels file\n")
                throw ExitCode(64)
            }
            description = .idx(images: path, labels: labels)
        }
        do {
            var types = encoding?.columnTypes ?? DataChecks.columnTypes(spec.data)
            types.dropsMissingTarget = spec.data?.dropsMissingTarget ?? false
            let table = try DatasetLoader.loadTable(description, baseDirectory: "", task: model.hasClassLabels ? .classification : .regression,
                                                    seed: UInt64(spec.training?.seed ?? 0), columns: types)
            guard let encoding, !table.columns.isEmpty else { return table.dataset }
            let outcome = try encoding.encode(table)
            Self.noteUnseen(outcome.unseen, in: path, textColumns: Set(encoding.texts.map(\.column)))
            return outcome.dataset
        } catch {
            Console.error("error: \(error.located(in: path))\n")
            throw ExitCode(1)
        }
    }

    /// `note: 3 cells of `island` hold values never seen in training ...` (for a text column, the
    /// tokens its vocabulary lacks), on stderr.
    static func noteUnseen(_ unseen: [String: Int], in path: String, textColumns: Set<String>) {
        for (column, count) in unseen.sorted(by: { $0.key < $1.key }) {
            if textColumns.contains(column) {
                Console.error("note: `\(path)`: \(count) token\(count == 1 ? "" : "s") of `\(column)` \(count == 1 ? "is" : "are") not in the vocabulary, encoded as unknown (id 1)\n")
                continue
            }
            Console.error("note: `\(path)`: \(count) cell\(count == 1 ? "" : "s") of `\(column)` hold\(count == 1 ? "s" : "") a value never seen in training, encoded as unknown\n")
        }
    }
}

/// The splits, normalized with statistics from the training split.
struct LoadedData {
    var train: Dataset
    var validation: Dataset?
    var test: Dataset?
    var normalizer: Normalizer
    /// How a CSV source's columns were encoded; nil for IDX and builtin sets.
    var encoding: FeatureEncoding?

    /// Bytes the loaded splits take.
    var bytes: Int { [train, validation, test].compactMap { $0 }.reduce(0) { $0 + $1.bytes } }
}

extension Dataset {
    /// Bytes of the features and labels or targets.
    var bytes: Int { (features.count + labels.count + targets.count) * MemoryLayout<Float>.stride }
}

extension ModelSession {
    /// Stops with an error at `batch_size` when the plans `run` or `bench` will make need more
    /// memory than the machine has (see `MemoryFit`); prints a warning when more than is free now.
    /// Returns the batch size to evaluate at: the usual 256, or the training batch size when only
    /// that fits (with a note).
    @discardableResult
    func checkMemory(_ program: TrainingProgram, data: LoadedData, evaluates: Bool) throws -> Int {
        let counts = evaluates ? [data.train, data.validation, data.test].compactMap { $0?.count } : []
        let usual = Trainer.defaultEvaluationBatchSize
        let trainingBatch = max(1, min(program.configuration.batchSize, data.train.count))
        func diagnostic(evaluatingAt batch: Int) -> Diagnostic? {
            let fit = MemoryBudget.fit(program, trainingExamples: data.train.count, evaluationBatch: evaluates ? batch : nil,
                                       evaluationCounts: counts, evaluationScales: batch == trainingBatch)
            return fit.diagnostic(at: spec.training?.batchSize.range, dataBytes: data.bytes,
                                  physical: MemoryBudget.physicalBytes, available: MemoryBudget.availableBytes)
        }
        var batch = usual
        var found = diagnostic(evaluatingAt: usual)
        if evaluates, let first = found, trainingBatch != usual {
            // Evaluating at the training batch size, lowering `batch_size` lowers both plans.
            let scaled = diagnostic(evaluatingAt: trainingBatch)
            if trainingBatch < usual {
                if scaled?.severity != .error {
                    batch = trainingBatch
                    Console.error("note: evaluating in batches of \(batch), the training batch size, to fit in memory\n")
                }
                found = scaled
            } else if let scaled {
                // Larger batches still evaluate 256 at a time: keep that need, size the help for both.
                var combined = first
                combined.help = scaled.help
                found = combined
            }
        }
        // After the diagnostics (an error at `batch_size` names the size that fits), the allocator's own answer.
        func probe() throws {
            let chosen = MemoryBudget.fit(program, trainingExamples: data.train.count, evaluationBatch: evaluates ? batch : nil,
                                          evaluationCounts: counts, evaluationScales: batch == trainingBatch)
            try Self.require(chosen.batchArenaBytes + chosen.fixedBytes, for: "the training buffers and parameters")
        }
        guard let found else {
            try probe()
            return batch
        }
        if found.severity == .error { throw fail(found) }
        Console.error(DiagnosticRenderer.text(found, in: result.file, color: Terminal.stderrIsTerminal))
        try probe()
        return batch
    }

    /// The trainer `eval` and `predict` run, its evaluation batch sized to memory before its
    /// parameters are allocated.
    func evaluationTrainer() throws -> Trainer {
        let program = try program()
        let batch = try evaluationBatchThatFits(program)
        let trainer = Trainer(program: program)
        trainer.evaluationBatchSize = batch
        return trainer
    }

    /// The batch size `eval` and `predict` run their plans at: the default, or the largest that
    /// fits in the memory free now (with a note), or an error when not even one example fits.
    func evaluationBatchThatFits(_ program: TrainingProgram) throws -> Int {
        let batch = Trainer.defaultEvaluationBatchSize
        let fit = MemoryBudget.fit(program, trainingExamples: nil, evaluationBatch: batch)
        let physical = MemoryBudget.physicalBytes
        let free = MemoryBudget.availableBytes.map { min(physical, $0) } ?? physical
        if fit.totalBytes <= free { return batch }
        let fits = fit.largestBatch(free: free)
        guard fits >= 1 else {
            throw fail(Diagnostic.error("memory", "the model needs \(MemoryEstimate.format(bytes: fit.parameterBytes)) for its "
                                            + "parameters and \(MemoryEstimate.format(bytes: fit.batchArenaBytes / batch)) per example, "
                                            + "more than the \(MemoryEstimate.format(bytes: free)) of memory free", at: nil,
                                        help: ["use fewer or smaller layers, or a machine with more memory"]))
        }
        Console.error("note: evaluating in batches of \(fits) to fit in the \(MemoryEstimate.format(bytes: free)) of memory free\n")
        return fits
    }
}

/// Writes to the standard streams.
enum Console {
    /// A data-parallel run's ranks other than 0 keep their messages (`takeHeld`) instead of
    /// printing each of rank 0's once more.
    nonisolated(unsafe) static var holdsOutput = false
    nonisolated(unsafe) private static var held = ""

    static func error(_ text: String, always: Bool = false) {
        if holdsOutput && !always {
            held += text
            return
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// What was held back since the last call.
    static func takeHeld() -> String {
        defer { held = "" }
        return held
    }

    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension Error {
    /// The error as one line naming `path`: a data error's own text (which names its file,
    /// with the line and column of a bad cell), otherwise `cannot read PATH: ERROR`.
    func located(in path: String) -> String {
        switch self as? DataError {
        case .missingColumn?: return "`\(path)`: \((self as? DataError)?.message ?? "")"
        case .some(let error): return error.description
        case nil: return "cannot read `\(path)`: \(self)"
        }
    }
}

extension ModelSession {
    /// `Memory.require`, as an error on stderr and exit status 1.
    static func require(_ bytes: Int, for purpose: String,
                        advice: String = "use a smaller batch size or a smaller dataset") throws {
        do { try Memory.require(bytes, for: purpose, advice: advice) } catch {
            Console.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}
