import DLCRuntime
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `dlc` this test run built (the test target depends on it), run as a user would.
enum DLC {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static let executable: String = {
        let beside = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for candidate in [beside + "/dlc", (beside as NSString).deletingLastPathComponent + "/dlc", repository + "/.build/debug/dlc"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return repository + "/.build/debug/dlc"
    }()

    static func spec(_ name: String) -> String { repository + "/specs/" + name }

    /// A fresh scratch folder for one test.
    static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "dlc-fault-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A started `dlc` process whose stderr is collected.
final class Command: @unchecked Sendable {
    let process = Process()
    private let errorPipe = Pipe()
    private let lock = NSLock()
    private var collected = Data()

    /// `dlc ARGUMENTS`, or `bash -c SCRIPT` with `$DLC` naming the executable when `shell` is given.
    init(_ arguments: [String], shell: String? = nil, environment: [String: String] = [:]) throws {
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", shell]
        } else {
            process.executableURL = URL(fileURLWithPath: DLC.executable)
            process.arguments = arguments
        }
        var variables = ProcessInfo.processInfo.environment
        variables["DLC"] = DLC.executable
        variables["DLC_THREADS"] = variables["DLC_THREADS"] ?? "1"
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected.append(data) }
        }
        try process.run()
    }

    var stderr: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    /// Waits until stderr contains `text` (true) or `seconds` pass or the process ends (false).
    func waitFor(_ text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            usleep(10_000)
        }
        return false
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the end (killing it after `seconds`) and returns its exit status, or 128 + the
    /// signal that ended it.
    @discardableResult
    func finish(within seconds: Double = 120) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        usleep(50_000)
        errorPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    static func run(_ arguments: [String], shell: String? = nil, within seconds: Double = 120) throws -> (status: Int32, stderr: String) {
        let command = try Command(arguments, shell: shell)
        let status = command.finish(within: seconds)
        return (status, command.stderr)
    }
}

/// What a run folder may hold after any fault: either a `summary.json` that tells the truth
/// (a finished or interrupted run with a checkpoint that loads and one metrics row per epoch; a
/// failed run with no checkpoint), or no summary at all (an unfinished run). Never a summary of
/// another run, a truncated file under a final name, or a checkpoint beside a failure.
func expectHonestRunFolder(_ folder: String, sourceLocation: SourceLocation = #_sourceLocation) {
    func path(_ name: String) -> String { folder + "/" + name }
    let manager = FileManager.default
    guard let data = manager.contents(atPath: path("summary.json")) else { return }
    guard let summary = try? JSONDecoder().decode(RunSummary.self, from: data) else {
        Issue.record("summary.json in \(folder) does not decode", sourceLocation: sourceLocation)
        return
    }
    switch summary.status {
    case .completed, .stoppedEarly, .interrupted:
        let checkpoint = try? Safetensors.read(path: path("model.safetensors"))
        #expect(checkpoint != nil, "a \(summary.status.rawValue) run's checkpoint must load", sourceLocation: sourceLocation)
        let rows = (try? String(contentsOfFile: path("metrics.csv"), encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(rows == summary.epochsCompleted + 1, "metrics.csv must hold a row per epoch", sourceLocation: sourceLocation)
        #expect(manager.fileExists(atPath: path("spec.yaml")), sourceLocation: sourceLocation)
    case .failed:
        #expect(!manager.fileExists(atPath: path("model.safetensors")), "a failed run keeps no checkpoint", sourceLocation: sourceLocation)
        #expect(summary.message != nil, "a failed run says why", sourceLocation: sourceLocation)
    }
}

/// Mounts a tmpfs of `kibibytes` at a new folder (root only), or nil where that is not allowed.
func smallDisk(kibibytes: Int) -> String? {
    guard geteuid() == 0 else { return nil }
    let folder = DLC.scratch("disk")
    let mount = Process()
    mount.executableURL = URL(fileURLWithPath: "/bin/mount")
    mount.arguments = ["-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", folder]
    mount.standardError = FileHandle.nullDevice
    guard (try? mount.run()) != nil else { return nil }
    mount.waitUntilExit()
    return mount.terminationStatus == 0 ? folder : nil
}

func unmount(_ folder: String) {
    let umount = Process()
    umount.executableURL = URL(fileURLWithPath: "/bin/umount")
    umount.arguments = [folder]
    try? umount.run()
    umount.waitUntilExit()
    try? FileManager.default.removeItem(atPath: folder)
}

let canMount: Bool = {
    guard let folder = smallDisk(kibibytes: 16) else { return false }
    unmount(folder)
    return true
}()
