/// What `Checker` checks, and its limits.
public struct CheckOptions: Sendable {
    /// Why the spec is checked: `run` needs `data` and `training`, `check` only warns without them.
    public enum Purpose: Sendable {
        case check, run
    }

    public var purpose: Purpose = .check
    /// Whether to open the data files (off for `--no-data`).
    public var readsData = true
    /// The largest model accepted, in trainable parameters.
    public var maximumParameters = 1_000_000_000
    /// `--set NAME=VALUE` overrides.
    public var overrides: [(name: String, text: String)] = []
    /// Whether to check every point of a `sweep` (off inside those checks themselves).
    public var checksSweepPoints = true
    /// Reads a checkpoint's tensor names and shapes, for `init: {checkpoint: PATH}` (the runtime
    /// owns the file format); without it those checkpoints are not opened.
    public var readCheckpoint: (@Sendable (String) throws -> CheckpointContents)?

    public init() {}
}
