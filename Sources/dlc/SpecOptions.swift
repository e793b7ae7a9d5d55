import ArgumentParser
import DLCCheck

/// Options shared by every command that reads a spec.
struct SpecOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a hyperparameter.", valueName: "name=value"))
    var overrides: [String] = []

    @Option(help: "The largest model accepted, in parameters.")
    var maxParameters: Int = 1_000_000_000

    func validate() throws {
        for text in overrides where !text.contains("=") || text.hasPrefix("=") {
            throw ValidationError("`--set \(text)`: write it as `--set name=value`")
        }
        guard maxParameters > 0 else { throw ValidationError("--max-parameters must be positive") }
    }

    /// The overrides split into names and value texts.
    var parsedOverrides: [(name: String, text: String)] {
        overrides.compactMap { text in
            guard let equals = text.firstIndex(of: "=") else { return nil }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }

    func checkOptions(purpose: CheckOptions.Purpose, readsData: Bool) -> CheckOptions {
        var options = CheckOptions()
        options.purpose = purpose
        options.readsData = readsData
        options.maximumParameters = maxParameters
        options.overrides = parsedOverrides
        return options
    }
}
