import DLCCheck
import DLCDiagnostics
import Foundation

/// What `dlc check` does once its arguments are read, by `CheckCommand` or by `quickParse`.
struct CheckInvocation {
    var files: [String]
    var format: DiagnosticFormat = .text
    var quiet = false
    var options: CheckOptions

    /// Checks every file and prints the report; false when any has an error.
    func perform() -> Bool {
        let results = files.map { Checker.check(path: $0, options: options) }
        let output = CheckReport(results: results, format: format, quiet: quiet, color: Terminal.stdoutSupportsColor)
        FileHandle.standardOutput.write(Data(output.render().utf8))
        return !results.contains(where: \.hasErrors)
    }

    /// The common, well-formed `dlc check` command lines (files, `--quiet`, `--no-data`,
    /// `--format F`, `--set name=value`), read without ArgumentParser; nil for anything else
    /// (help, a typo, a value missing or invalid, `--max-parameters`), which `CheckCommand` then
    /// parses and answers as always. ArgumentParser builds its whole command tree and reflects
    /// over every option at each start: measured, 1.5 to 2 ms of `dlc check specs/iris.yaml`'s
    /// 9.6 ms on this repository's machine.
    static func quickParse(_ arguments: [String]) -> CheckInvocation? {
        var invocation = CheckInvocation(files: [], options: CheckOptions())
        invocation.options.purpose = .check
        invocation.options.readCheckpoint = SpecOptions.readCheckpoint
        var overrides: [(name: String, text: String)] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "--quiet": invocation.quiet = true
            case "--no-data": invocation.options.readsData = false
            case "--format", "--set":
                guard index < arguments.count else { return nil }
                let value = arguments[index]
                index += 1
                // ArgumentParser never takes an option-like argument as a value.
                guard !value.hasPrefix("-") else { return nil }
                if argument == "--format" {
                    guard let format = DiagnosticFormat(rawValue: value) else { return nil }
                    invocation.format = format
                } else {
                    guard let equals = value.firstIndex(of: "="), equals != value.startIndex else { return nil }
                    overrides.append((String(value[..<equals]), String(value[value.index(after: equals)...])))
                }
            default:
                guard !argument.hasPrefix("-") else { return nil }
                invocation.files.append(argument)
            }
        }
        guard !invocation.files.isEmpty else { return nil }
        invocation.options.overrides = overrides
        return invocation
    }
}
