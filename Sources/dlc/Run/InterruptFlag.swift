import Foundation

/// Set by Ctrl-C (SIGINT) so training stops between steps and still writes what it has.
final class InterruptFlag: @unchecked Sendable {
    private var source: DispatchSourceSignal?
    private let lock = NSLock()
    private var raised = false

    /// Installs the handler; a second Ctrl-C ends the process at once.
    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            if self.isRaised { exit(130) }
            self.lock.withLock { self.raised = true }
            FileHandle.standardError.write(Data("\ninterrupted: stopping after this step (Ctrl-C again to quit now)\n".utf8))
        }
        source.resume()
        self.source = source
    }

    var isRaised: Bool { lock.withLock { raised } }
}
