import ArgumentParser
import DLCCompile
import DLCGraph

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Print the graph IR of a spec after a compiler pass.",
        discussion: "Stages: lowered (forward and loss), differentiated (+ backward), fused, planned (+ arena offsets)."
    )

    enum Emit: String, ExpressibleByArgument, CaseIterable {
        case ir, dot
    }

    @Argument(help: "The spec to compile.")
    var spec: String

    @Option(help: "What to print: ir (text) or dot (Graphviz).")
    var emit: Emit = .ir

    @Option(help: "The pass to stop after: lowered, differentiated, fused or planned.")
    var stage: Compiler.Stage = .planned

    @Option(help: "The batch size of the plan (default: the spec's).")
    var batchSize: Int?

    @Flag(help: "Do not open data files.")
    var noData = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let session = try ModelSession.open(spec, options: specOptions, purpose: .check, readsData: !noData)
        let batch = batchSize ?? session.spec.training?.batchSize.value ?? 32
        guard batch >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        let graph: Graph
        let plan: BufferPlan?
        do {
            (graph, plan) = try Compiler.graph(session.model, batchSize: batch, stage: stage)
        } catch {
            throw session.fail(error.diagnostic)
        }
        switch emit {
        case .ir:
            Console.output(Printer.text(graph, offsets: plan?.offsets))
            if let plan {
                Console.output("// arena: \(plan.arenaSize) floats (\(plan.arenaSize * 4) bytes); without reuse: \(plan.unsharedSize) floats\n")
            }
        case .dot:
            Console.output(Printer.dot(graph))
        }
    }
}

extension Compiler.Stage: ExpressibleByArgument {}
