import ArgumentParser
import DLCCheck
import DLCRuntime

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

    /// A checkpoint's tensor names and shapes, for the checker's `init: {checkpoint: PATH}` rules.
    @Sendable static func readCheckpoint(_ path: String) throws -> CheckpointContents {
        let header = try Safetensors.readHeader(path: path)
        return CheckpointContents(shapes: Dictionary(header.shapes.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first }))
    }

    func checkOptions(purpose: CheckOptions.Purpose, readsData: Bool) -> CheckOptions {
        var options = CheckOptions()
        options.purpose = purpose
        options.readsData = readsData
        options.maximumParameters = maxParameters
        options.overrides = parsedOverrides
        options.readCheckpoint = Self.readCheckpoint
        return options
    }
}
