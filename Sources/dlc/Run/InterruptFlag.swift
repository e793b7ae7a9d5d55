import Foundation

/// Ctrl-C (SIGINT) or SIGTERM (what `kill`, schedulers and container runtimes send) during
/// training: raised, the trainer stops after the current step and the run is written with the
/// status `interrupted`. A second signal ends the process at once; the run folder then holds no
/// summary, so nothing is taken for finished.
final class InterruptFlag: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var signalNumber: Int32?
    /// Called (on a background queue) when the first signal arrives: the sweep stops its trials.
    var onRaise: (@Sendable (Int32) -> Void)?

    /// Installs the handlers.
    func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.raise(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func raise(_ number: Int32) {
        // `_exit`, not `exit`: OpenBLAS's exit handler joins its threads, which may be mid-call.
        if isRaised { _exit(128 + number) }
        lock.withLock { signalNumber = number }
        onRaise?(number)
        let name = number == SIGINT ? "interrupted" : "terminated (SIGTERM)"
        let again = number == SIGINT ? "Ctrl-C again" : "a second signal"
        FileHandle.standardError.write(Data("\n\(name): stopping after this step (\(again) to quit now)\n".utf8))
    }

    var isRaised: Bool { lock.withLock { signalNumber != nil } }

    /// The shell's status for the signal that stopped the run: 130 for SIGINT, 143 for SIGTERM.
    var exitStatus: Int32 { 128 + (lock.withLock { signalNumber } ?? SIGINT) }
}
