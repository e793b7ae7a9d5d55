import ArgumentParser

@main
struct DLC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlc",
        abstract: "Declarative deep-learning specs: check them in milliseconds, train them on the CPU.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, RunCommand.self, EvalCommand.self, PredictCommand.self, BenchCommand.self, SweepCommand.self, ReportCommand.self, CompileCommand.self, SchemaCommand.self]
    )
}
