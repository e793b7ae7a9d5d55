import ArgumentParser
import DLCCheck
import DLCDiagnostics
import Foundation

extension DiagnosticFormat: ExpressibleByArgument {}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate specs, infer every shape and report each problem at its line and column.",
        discussion: "Exits 0 when every spec is valid, 1 when any has an error."
    )

    @Argument(help: "Spec files to check.")
    var files: [String]

    @Option(help: "Output format: text, json or github (workflow annotations).")
    var format: DiagnosticFormat = .text

    @Flag(help: "Print only problems, not the layer tables.")
    var quiet = false

    @Flag(help: "Do not open data files (for CI jobs that have the specs but not the data).")
    var noData = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let invocation = CheckInvocation(files: files, format: format, quiet: quiet,
                                         options: specOptions.checkOptions(purpose: .check, readsData: !noData))
        if !invocation.perform() { throw ExitCode(1) }
    }
}

enum Terminal {
    /// Color when stdout is a terminal and `NO_COLOR` is unset.
    static var stdoutSupportsColor: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
