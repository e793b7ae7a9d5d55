import DLCCheck
import DLCCompile
import DLCData
import DLCGraph
import DLCRuntime
import DLCSpec
import Foundation
import Testing

/// Seeded end-to-end training: the canonical specs learn, runs repeat exactly, divergence is caught.
struct TrainingTests {
    static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("specs")

    /// The program and data the CLI would build for a spec file.
    static func prepare(_ name: String, overrides: [(name: String, text: String)] = []) throws -> (TrainingProgram, DataSplits) {
        try prepare(path: specs.appendingPathComponent(name).path, overrides: overrides)
    }

    /// The program and data the CLI would build for the spec file at `path`.
    static func prepare(path: String, overrides: [(name: String, text: String)] = []) throws -> (TrainingProgram, DataSplits) {
        let name = (path as NSString).lastPathComponent
        configureBLASForTests()
        var options = CheckOptions()
        options.purpose = .run
        options.overrides = overrides
        let result = Checker.check(path: path, options: options)
        let model = try #require(result.model, "\(result.diagnostics.map(\.message))")
        let spec = model.spec
        let program = TrainingProgram(
            name: name, configuration: Compiler.configuration(spec), metrics: spec.metrics.map(\.value.rawValue),
            parameters: try Compiler.trainingPlan(model, batchSize: 1).0.parameters,
            makeTrainingPlan: { try! Compiler.trainingPlan(model, batchSize: $0) },
            makeEvaluationPlan: { try! Compiler.forwardPlan(model, batchSize: $0, mode: .evaluation) },
            makeInferencePlan: { try! Compiler.forwardPlan(model, batchSize: $0, mode: .inference) })
        let source = try #require(spec.data?.train?.value)
        let seed = UInt64(spec.training?.seed ?? 0)
        let dataset = try DatasetLoader.load(DataChecks.description(of: source), baseDirectory: result.baseDirectory,
                                             task: model.hasClassLabels ? .classification : .regression, seed: seed)
        var validation: Double?
        if case .fraction(let f)? = spec.data?.validation?.value { validation = f }
        var splits = DatasetSplitter.split(dataset, validationFraction: validation, testFraction: nil, seed: seed)
        if let mode = Normalizer.Mode(rawValue: spec.data?.normalize.rawValue ?? "none") {
            let normalizer = Normalizer.fit(mode, to: splits.train)
            normalizer.apply(to: &splits.train)
            if var held = splits.validation { normalizer.apply(to: &held); splits.validation = held }
        }
        return (program, splits)
    }

    @Test func xorLearnsAllFourPoints() throws {
        let (program, data) = try Self.prepare("xor.yaml")
        let trainer = Trainer(program: program)
        let result = try trainer.fit(train: data.train, validation: nil)
        #expect(result.epochs.count == 500)
        #expect(trainer.evaluate(data.train).loss < 0.01)
        let outputs = trainer.predict(features: data.train.features, count: 4).values
        for (output, label) in zip(outputs, data.train.labels) { #expect((output > 0.5) == (label == 1)) }
    }

    @Test func irisReachesTheTargetAccuracy() throws {
        let (program, data) = try Self.prepare("iris.yaml")
        let trainer = Trainer(program: program)
        _ = try trainer.fit(train: data.train, validation: data.validation)
        let validation = try #require(data.validation)
        #expect(validation.count == 30)
        #expect(try #require(trainer.evaluate(validation).metrics["accuracy"]) >= 0.93)
    }

    @Test func theSameSeedGivesTheSameRun() throws {
        var logs: [String] = []
        for _ in 0..<2 {
            let (program, data) = try Self.prepare("spirals.yaml", overrides: [("hidden_layers", "1")])
            var shortened = program
            shortened.configuration.epochs = 5
            let result = try Trainer(program: shortened).fit(train: data.train, validation: data.validation)
            var log = MetricsLog(columns: ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"])
            for epoch in result.epochs {
                log.append(["epoch": Double(epoch.epoch), "train_loss": epoch.train.loss, "train_accuracy": epoch.train.metrics["accuracy"] ?? 0,
                            "val_loss": epoch.validation?.loss ?? 0, "val_accuracy": epoch.validation?.metrics["accuracy"] ?? 0])
            }
            logs.append(log.csv())
        }
        #expect(logs[0] == logs[1])
    }

    @Test func aDivergingRunStopsWithTheEpochAndStep() throws {
        let (program, data) = try Self.prepare("sine.yaml")
        var diverging = program
        diverging.configuration.optimizer = OptimizerConfiguration(kind: .sgd, learningRate: 1e4)
        diverging.configuration.epochs = 3
        #expect(throws: TrainingError.self) { _ = try Trainer(program: diverging).fit(train: data.train, validation: nil) }
        do {
            _ = try Trainer(program: diverging).fit(train: data.train, validation: nil)
        } catch {
            guard case .nonFiniteLoss(let epoch, let step, _) = error else { return }
            #expect(epoch == 1)
            #expect(step >= 1)
        }
    }

    @Test func earlyStoppingRestoresTheBestEpoch() throws {
        let (program, data) = try Self.prepare("moons.yaml")
        var stopping = program
        stopping.configuration.earlyStopping = EarlyStoppingConfiguration(monitor: "val_loss", patience: 2, minimumDelta: 10, restoreBest: true)
        let result = try Trainer(program: stopping).fit(train: data.train, validation: data.validation)
        // min_delta 10 means no epoch after the first counts as better.
        #expect(result.outcome == .stoppedEarly)
        #expect(result.epochs.count == 3)
        #expect(result.bestEpoch == 1)
    }
}
