import ArgumentParser
import Foundation

/// `dlc`'s entry point. `dlc check`, which pre-commit hooks call on every commit, reads its
/// common command lines itself (`CheckInvocation.quickParse`); everything else, and any `check`
/// command line out of the ordinary, goes through ArgumentParser's command tree.
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == CheckCommand.configuration.commandName,
           let invocation = CheckInvocation.quickParse(Array(arguments.dropFirst())) {
            exit(invocation.perform() ? 0 : 1)
        }
        DLC.main()
    }
}

struct DLC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlc",
        abstract: "Declarative deep-learning specs: check them in milliseconds, train them on the CPU.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, RunCommand.self, EvalCommand.self, PredictCommand.self, BenchCommand.self, SweepCommand.self, ReportCommand.self, CompileCommand.self, ExportCommand.self, SchemaCommand.self]
    )
}
