import ArgumentParser
import DLCCheck
import DLCData
import DLCRuntime
import Foundation

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Write a trained model's predictions for the rows of a CSV file or the images of an IDX file.",
        discussion: "Classifiers write the class and one probability per class; regressions write the values."
    )

    @Argument(help: "The spec the checkpoint was trained from.")
    var spec: String

    @Option(help: "The model.safetensors to use.")
    var checkpoint: String

    @Option(help: "A CSV file with a header: the spec's feature columns (or exactly the input's values per row); or an IDX images file (NAME-ubyte, NAME-ubyte.gz, .idx) for a model of images.")
    var input: String

    @Option(help: "Where to write the predictions (default: standard output).")
    var output: String?

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let session = try ModelSession.open(spec, options: specOptions, purpose: .run)
        try Threads.configure(nil)
        let trainer = try session.evaluationTrainer()
        let saved = try CheckpointLoader.load(checkpoint, into: trainer.parameters, model: session.model)
        let (normalizer, classes) = (saved.normalizer, saved.classes)
        let width = session.model.dataShape.reduce(1, *)
        var (features, rows): ([Float], Int)
        if IDXImagesReader.looksLikeIDX(input) {
            (features, rows) = try readImages(width: width, session: session)
        } else if let encoding = saved.encoding ?? session.model.encoding {
            (features, rows) = try readEncoded(encoding)
        } else {
            (features, rows) = try readTable(width: width, session: session)
        }
        guard rows > 0 else {
            Console.error("error: `\(input)` has no rows to predict\n")
            throw ExitCode(1)
        }
        features.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { normalizer.apply(to: base, count: rows) }
        }
        let prediction = trainer.predict(features: features, count: rows)
        let csv = PredictionTable(outputs: prediction.values, rows: rows, classes: classes, logits: prediction.areLogits).csv()
        if let output {
            do { try AtomicFile.write(csv, to: output) } catch {
                Console.error("error: cannot write `\(output)`: \(error)\n")
                throw ExitCode(1)
            }
        } else {
            Console.output(csv)
        }
    }

    /// The rows of a CSV input, its columns found by name (in any order, the target not needed)
    /// and encoded as in training; values never seen in training are counted in a note.
    private func readEncoded(_ encoding: FeatureEncoding) throws -> (values: [Float], rows: Int) {
        do {
            let table = try DatasetLoader.loadTable(.csv(path: input, target: [], features: encoding.columns.map(\.name)), baseDirectory: "",
                                                    task: .classification, seed: 0, columns: encoding.columnTypes)
            let outcome = try encoding.encode(table)
            ModelSession.noteUnseen(outcome.unseen, in: input, textColumns: Set(encoding.texts.map(\.column)))
            return (outcome.dataset.features, outcome.dataset.count)
        } catch {
            Console.error("error: \(error.located(in: input))\n")
            throw ExitCode(1)
        }
    }

    /// The rows of a CSV input: the spec's feature columns, or every column but its targets.
    private func readTable(width: Int, session: ModelSession) throws -> (values: [Float], rows: Int) {
        var columns: [String]?
        if case .csv(_, let target, let features)? = session.spec.data?.train.map({ DataChecks.description(of: $0.value) }) {
            columns = features
            if columns == nil { columns = try featureColumns(excluding: target) }
        }
        let table: (values: [Float], rows: Int, columns: [String])
        do {
            table = try FeatureTableReader.read(path: input, columns: columns)
        } catch {
            Console.error("error: \(error.located(in: input))\n")
            throw ExitCode(1)
        }
        guard table.columns.count == width else {
            Console.error("error: `\(input)` has \(table.columns.count) feature columns, but the model's input holds \(width) values\n")
            throw ExitCode(1)
        }
        return (table.values, table.rows)
    }

    /// The images of an IDX input, which must have the model's input shape.
    private func readImages(width: Int, session: ModelSession) throws -> (values: [Float], rows: Int) {
        let images: (values: [Float], count: Int, exampleShape: [Int])
        do {
            images = try IDXImagesReader.read(path: input)
        } catch {
            Console.error("error: \(error.located(in: input))\n")
            throw ExitCode(1)
        }
        guard images.exampleShape.reduce(1, *) == width else {
            Console.error("error: `\(input)` holds images of shape \(images.exampleShape), but the model's input is "
                          + "\(session.model.inputShape)\n")
            throw ExitCode(1)
        }
        return (images.values, images.count)
    }

    /// The input's columns without the spec's target columns (the features of a CSV spec without `features:`).
    private func featureColumns(excluding target: [String]) throws -> [String]? {
        guard let header = try? FeatureTableReader.read(path: input, columns: nil).columns else { return nil }
        return header.filter { !target.contains($0) }
    }
}

/// Formats predictions as CSV: `class,p_NAME...` for classifiers, `value_0...` for regressions.
struct PredictionTable {
    let outputs: [Float]
    let rows: Int
    let classes: [String]
    /// Whether the outputs are logits (softmax or sigmoid is applied here).
    let logits: Bool

    func csv() -> String {
        let width = rows > 0 ? outputs.count / rows : 0
        var lines: [String] = []
        if classes.isEmpty {
            lines.append((0..<width).map { "value_\($0)" }.joined(separator: ","))
            for row in 0..<rows {
                lines.append(outputs[(row * width)..<((row + 1) * width)].map { "\($0)" }.joined(separator: ","))
            }
        } else {
            lines.append((["class"] + classes.map { "p_\($0)" }).joined(separator: ","))
            for row in 0..<rows {
                let probabilities = self.probabilities(Array(outputs[(row * width)..<((row + 1) * width)]))
                let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
                lines.append(([classes[min(best, classes.count - 1)]] + probabilities.map { "\($0)" }).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One probability per class: softmax of logits, sigmoid of one logit, or the outputs as they are.
    private func probabilities(_ row: [Float]) -> [Float] {
        if row.count == 1 {
            let p = logits ? 1 / (1 + Foundation.exp(-row[0])) : row[0]
            return [1 - p, p]
        }
        guard logits, let maximum = row.max() else { return row }
        let exps = row.map { Foundation.exp($0 - maximum) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }
}
