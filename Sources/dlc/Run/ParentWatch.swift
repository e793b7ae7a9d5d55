import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `dlc run` started by `dlc sweep` ends when the sweep does: the sweep names itself in
/// `DLC_SWEEP_PARENT`, and the run asks Linux to send it SIGTERM when its parent dies
/// (`PR_SET_PDEATHSIG`), which its `InterruptFlag` turns into a run written as `interrupted`.
/// Without it, a sweep killed with SIGKILL left its trials training on, unseen.
enum ParentWatch {
    static let variable = "DLC_SWEEP_PARENT"

    /// Whether this run is a sweep's trial.
    static var isTrial: Bool { ProcessInfo.processInfo.environment[variable] != nil }

    static func install() {
        #if os(Linux)
        guard let text = ProcessInfo.processInfo.environment[variable], let parent = Int32(text) else { return }
        // `prctl` is variadic in C, so Swift does not import it; PR_SET_PDEATHSIG is 1.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        typealias Control = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        _ = unsafeBitCast(symbol, to: Control.self)(1, UInt(SIGTERM), 0, 0, 0)
        // The sweep may have died before the request: then no signal will come.
        if getppid() != parent { kill(getpid(), SIGTERM) }
        #endif
    }
}
