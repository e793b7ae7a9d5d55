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
    /// What the first signal's message says in place of "stopping after this step" (a rank of an
    /// MPI job: the launcher signals every rank when one ends, and kills them shortly after);
    /// empty says nothing.
    var explanation: String?

    private let queue = DispatchQueue(label: "dlc.signals")
    private var quitsOnRepeatedTermination = true

    /// SIGINT and SIGTERM back to their default action, unblocked (a process started by a sweep
    /// inherits them ignored).
    static func restoreDefaults() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_DFL)
            sigaddset(&set, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Installs the handlers. `repeatedTerminationQuits` false (a sweep's trial, which may get
    /// SIGTERM from the sweep and from whoever signalled the sweep) keeps a second SIGTERM from
    /// quitting before the run is written.
    func install(repeatedTerminationQuits: Bool = true) {
        quitsOnRepeatedTermination = repeatedTerminationQuits
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            // One serial queue: two signals at once are raised one after the other.
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.raise(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func raise(_ number: Int32) {
        let previous = lock.withLock { () -> Int32? in
            let previous = signalNumber
            if previous == nil { signalNumber = number }
            return previous
        }
        if previous != nil {
            if number == SIGTERM && !quitsOnRepeatedTermination { return }
            // `_exit`, not `exit`: OpenBLAS's exit handler joins its threads, which may be mid-call.
            _exit(128 + number)
        }
        onRaise?(number)
        let name = number == SIGINT ? "interrupted" : "terminated (SIGTERM)"
        let again = number == SIGINT ? "Ctrl-C again" : "a second signal"
        let what = explanation ?? "stopping after this step (\(again) to quit now)"
        if !what.isEmpty { FileHandle.standardError.write(Data("\n\(name): \(what)\n".utf8)) }
    }

    var isRaised: Bool { lock.withLock { signalNumber != nil } }

    /// The shell's status for the signal that stopped the run: 130 for SIGINT, 143 for SIGTERM.
    var exitStatus: Int32 { 128 + (lock.withLock { signalNumber } ?? SIGINT) }
}
