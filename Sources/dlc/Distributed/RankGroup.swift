import ArgumentParser
import DLCRuntime
import Foundation

/// The processes of one `dlc run` or `dlc sweep`: one, or the ranks of an MPI job when dlc was
/// started by a launcher (`mpirun -n N dlc run spec.yaml`) or with `--distributed`.
///
/// Before training, each rank does the same steps (check the spec, load the data, ...) and the
/// ranks go on only when all of them succeeded (`agree`): a rank that fails says why, and every
/// rank stops with an exit status instead of waiting for it. Only rank 0 prints; the others keep
/// what they would print and show it, marked with their rank, when they alone fail.
final class RankGroup {
    let collective: Collective
    private let mpi: MPICollective?

    var rank: Int { collective.rank }
    var size: Int { collective.size }
    var isDistributed: Bool { collective.isDistributed }
    /// Rank 0 prints, writes the run folder and decides for the others.
    var isLeader: Bool { collective.rank == 0 }

    private init(collective: Collective, mpi: MPICollective?) {
        self.collective = collective
        self.mpi = mpi
    }

    /// The environment variables by which launchers tell a process it is a rank: Open MPI's
    /// `mpirun` (`OMPI_COMM_WORLD_SIZE`), and PMIx and PMI launchers (`srun`, MPICH's hydra).
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"]

    /// What a launcher says about this job: the number of ranks, and how many share this machine.
    static var launched: (size: Int, localSize: Int)? {
        let environment = ProcessInfo.processInfo.environment
        guard launcherVariables.contains(where: { environment[$0] != nil }) else { return nil }
        let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init) ?? environment["PMI_SIZE"].flatMap(Int.init) ?? 0
        let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? environment["MPI_LOCALNRANKS"].flatMap(Int.init)
        return (size, local ?? max(size, 1))
    }

    /// One process, or the job's ranks when dlc runs under a launcher (or `forced`). A job of one
    /// rank runs as one process, without loading MPI.
    static func start(forced: Bool) throws -> RankGroup {
        let launched = Self.launched
        guard forced || (launched.map { $0.size != 1 } ?? false) else { return RankGroup(collective: SingleProcess(), mpi: nil) }
        do {
            let mpi = try MPICollective.start()
            let group = RankGroup(collective: mpi, mpi: mpi)
            if !group.isLeader { Console.holdsOutput = true }
            return group
        } catch {
            Console.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// BLAS threads for this rank when none are asked for: the machine's cores shared among the
    /// ranks on it.
    var defaultThreads: Int? {
        guard isDistributed else { return nil }
        let local = Self.launched?.localSize ?? 1
        return max(1, ProcessInfo.processInfo.activeProcessorCount / max(local, 1))
    }

    /// Runs `body` on every rank and goes on only if it succeeded on all. Otherwise every rank
    /// ends (MPI finalized) with the exit status of the first rank that failed: a rank that
    /// failed alone shows what it held back, marked with its rank; the others say which rank
    /// stopped them. One process runs `body` as it is.
    func agree<T>(_ body: () throws -> T) throws -> T {
        guard isDistributed else { return try body() }
        var result: T?
        var failure: Error?
        do { result = try body() } catch { failure = error }
        // 0: succeeded; 1 + the exit status otherwise (a rank may end the run with status 0).
        let code: Int32 = failure.map { 1 + Self.exitStatus(of: $0) } ?? 0
        let codes = collective.gather(withUnsafeBytes(of: code.littleEndian) { Array($0) }).map { bytes in
            bytes.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(as: Int32.self)) }
        }
        let held = Console.takeHeld()
        guard let first = codes.firstIndex(where: { $0 != 0 }) else { return result! }
        if failure != nil && !isLeader && codes[0] == 0 {
            Console.error(held.split(separator: "\n", omittingEmptySubsequences: false).dropLast(held.hasSuffix("\n") ? 1 : 0)
                .map { "[rank \(rank)] \($0)\n" }.joined(), always: true)
        }
        if failure == nil && isLeader && codes[first] != 1 {
            Console.error("error: rank \(first) of \(size) cannot go on (see its message); stopping every rank\n")
        }
        finish()
        throw ExitCode(failure.map { Self.exitStatus(of: $0) } ?? (codes[first] - 1))
    }

    /// Rank 0's bytes on every rank.
    func fromLeader(_ bytes: [UInt8]) -> [UInt8] {
        collective.broadcastVariable(bytes)
    }

    /// Ends the job's use of MPI; every rank calls it once, before it exits.
    func finish() {
        mpi?.finish()
    }

    private static func exitStatus(of error: Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        Console.error("error: \(error)\n")
        return 1
    }
}
