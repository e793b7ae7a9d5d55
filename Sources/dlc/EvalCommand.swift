import ArgumentParser
import DLCData
import DLCRuntime
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Print the loss and metrics of a trained checkpoint on the spec's splits or another data file."
    )

    @Argument(help: "The spec the checkpoint was trained from.")
    var spec: String

    @Option(help: "The model.safetensors to evaluate.")
    var checkpoint: String

    @Option(help: "A data file to evaluate on instead (CSV with the spec's columns, or IDX images with --labels).")
    var data: String?

    @Option(help: "The IDX labels file that goes with --data.")
    var labels: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let session = try ModelSession.open(spec, options: specOptions, purpose: .run)
        try Threads.configure(nil)
        let trainer = try session.evaluationTrainer()
        let saved = try CheckpointLoader.load(checkpoint, into: trainer.parameters, model: session.model)
        var splits: [(String, Dataset)] = []
        if let data {
            var dataset = try session.loadExternal(data, labels: labels, encoding: saved.encoding ?? session.model.encoding)
            saved.normalizer.apply(to: &dataset)
            splits.append(("data", dataset))
        } else {
            let loaded = try session.loadData(fixed: saved)
            splits.append(("train", loaded.train))
            if let validation = loaded.validation { splits.append(("val", validation)) }
            if let test = loaded.test { splits.append(("test", test)) }
        }
        var results: [String: Double] = [:]
        var confusion: [String: [[Int]]] = [:]
        for (name, dataset) in splits {
            let evaluation = trainer.evaluate(dataset)
            if let counts = evaluation.confusion { confusion[name] = counts }
            results["\(name)_loss"] = evaluation.loss
            for (metric, value) in evaluation.metrics { results["\(name)_\(metric)"] = value }
            results["\(name)_examples"] = Double(dataset.count)
        }
        if json {
            var object: [String: Any] = results
            if !confusion.isEmpty { object["confusion_matrix"] = ["classes": saved.classes, "splits": confusion] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            Console.output(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            for (name, value) in results.sorted(by: { $0.key < $1.key }) {
                Console.output("\(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(name.hasSuffix("examples") ? String(Int(value)) : ProgressPrinter.format(value))\n")
            }
            for (name, counts) in confusion.sorted(by: { $0.key < $1.key }) {
                Console.output("\nconfusion matrix, \(name):\n" + ConfusionMatrices.table(counts, classes: saved.classes))
            }
        }
    }
}
