import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `dlc check` on files a pre-commit hook or a script may hand it.
@Suite("Check faults")
struct CheckFaultTests {
    /// Before: `open` waited for a writer forever (a hook hung).
    @Test("A named pipe with no writer is an empty spec, at once")
    func pipeWithoutWriter() throws {
        let folder = DLC.scratch("pipe")
        let fifo = folder + "/spec.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        let start = Date()
        let (status, stderr) = try Command.run(["check", fifo], within: 20)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(status == 1, "\(stderr)")
    }

    @Test("A spec piped in through a shell's process substitution checks")
    func processSubstitution() throws {
        let spec = DLC.spec("xor.yaml")
        let (status, stderr) = try Command.run([], shell: "exec \"$DLC\" check --quiet <(cat '\(spec)')", within: 20)
        #expect(status == 0, "\(stderr)")
    }

    @Test("A device is refused at its size limit, not read forever")
    func device() throws {
        let (status, _) = try Command.run(["check", "/dev/zero"], within: 20)
        #expect(status == 1)
    }
}
