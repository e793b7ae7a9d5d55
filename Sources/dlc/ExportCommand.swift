import ArgumentParser
import DLCCompile
import DLCExport
import DLCGraph
import DLCRuntime
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained model as an ONNX file that ONNX Runtime and other clients run.",
        discussion: """
            The model takes what `dlc predict` reads: a `features` input shaped like the spec's input (raw values; \
            the normalization is inside the model), or, for CSV columns with types, one [batch, 1] input per column \
            (float32 with NaN for a missing cell, or the category's text); for one text column alone, `features` holds \
            its token ids (float32 [batch, length]; the vocabulary and the tokenizer's rules are in the metadata \
            `dlc.text`). Classifiers output `probabilities` and `label`, regressions `values`. The file's metadata \
            (`dlc.*`) names the classes and the inputs.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
    }

    @Argument(help: "The spec the checkpoint was trained from.")
    var spec: String

    @Option(help: "The model.safetensors to export.")
    var checkpoint: String

    @Option(help: "The file format.")
    var format: Format = .onnx

    @Option(help: "Where to write the model (default: model.onnx beside the checkpoint).")
    var out: String?

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let start = Date()
        let session = try ModelSession.open(spec, options: specOptions, purpose: .run)
        let program = try session.program()
        let parameters = ParameterStore(program.parameters, seed: 0)
        let saved = try CheckpointLoader.load(checkpoint, into: parameters, model: session.model)
        let graph: Graph
        do {
            graph = try Compiler.forwardPlan(session.model, batchSize: 1, mode: .inference).0
        } catch {
            throw session.fail(error.diagnostic)
        }
        let byName = Dictionary(zip(parameters.infos.map(\.name), parameters.tensors.map { Array($0) }),
                                uniquingKeysWith: { first, _ in first })
        var values: [[Float]] = []
        for info in graph.parameters {
            guard let tensor = byName[info.name] else {
                preconditionFailure("internal: the inference graph's parameter `\(info.name)` is not the training graph's")
            }
            values.append(tensor)
        }
        let encoding = saved.encoding ?? session.model.encoding
        let model = ONNXExportModel(name: session.name, graph: graph, parameters: values, normalizer: saved.normalizer,
                                    encoding: encoding, classes: saved.classes, featureColumns: encoding?.columns.map(\.name),
                                    producerVersion: DLC.configuration.version)
        let bytes: Data
        do { bytes = try ONNXExporter.export(model) } catch {
            Console.error("error: cannot export `\(session.name)` to ONNX: \(error)\n")
            throw ExitCode(1)
        }
        let path = out ?? (RunOutputs.parent(of: checkpoint) as NSString).appendingPathComponent("model.onnx")
        do { try AtomicFile.write(bytes, to: path) } catch {
            Console.error("error: cannot write `\(path)`: \(error)\n")
            throw ExitCode(1)
        }
        Console.error(String(format: "wrote %@ (%@, ONNX opset %d) in %.2fs\n", path,
                             ByteCountFormatter.string(fromByteCount: Int64(bytes.count), countStyle: .file), ONNXExporter.opset,
                             Date().timeIntervalSince(start)))
    }
}
