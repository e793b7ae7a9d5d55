import DLCDiagnostics

/// Why a checked model cannot be compiled for the runtime.
public struct CompileError: Error, Sendable {
    public var message: String
    public var range: SourceRange?
    public var help: String?

    public init(_ message: String, at range: SourceRange?, help: String? = nil) {
        self.message = message
        self.range = range
        self.help = help
    }

    /// The error as a diagnostic for the renderers.
    public var diagnostic: Diagnostic {
        Diagnostic.error("unsupported", message, at: range).helping(help)
    }
}
