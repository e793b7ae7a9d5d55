import CMPI
import DLCRuntime
import Foundation

/// The ranks of an Open MPI job: `MPI_Allreduce`, `MPI_Bcast` and `MPI_Allgather` over
/// `MPI_COMM_WORLD`. Open MPI is loaded when the job starts (`start`), never linked, so dlc
/// builds and runs on machines without it.
///
/// MPI's default error handler ends the whole job on a failed operation; a failure that returns
/// anyway ends it here too (`MPI_Abort`), so no rank goes on alone.
final class MPICollective: Collective, @unchecked Sendable {
    let rank: Int
    let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// What to install when Open MPI is missing.
    static let installAdvice = "install Open MPI (Debian and Ubuntu: `apt-get install openmpi-bin libopenmpi-dev`; "
        + "macOS: `brew install open-mpi`), or set DLC_MPI_LIBRARY to the path of its libmpi"

    /// Loads Open MPI and joins the job (`MPI_Init_thread`); an error says what is missing.
    static func start() throws(DistributedError) -> MPICollective {
        guard dlc_mpi_load() == 1 else { throw .libraryMissing(String(cString: dlc_mpi_load_error())) }
        // Ranks on one machine: copying through shared memory beat Open MPI's single-copy reads
        // (CMA, a system call per transfer) for the gradients' sum here (BENCHMARKS.md,
        // "Data-parallel training"); `--mca btl_vader_single_copy_mechanism cma` (or the
        // variable) keeps Open MPI's own choice.
        setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0)
        let status = dlc_mpi_init()
        guard status == 0 else { throw .initFailed(status) }
        return MPICollective(rank: Int(dlc_mpi_rank()), size: Int(dlc_mpi_size()))
    }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        require(dlc_mpi_allreduce_sum_float(base, values.count), "MPI_Allreduce")
    }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        require(dlc_mpi_allreduce_sum_double(base, values.count), "MPI_Allreduce")
    }

    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        require(dlc_mpi_broadcast(base, bytes.count, Int32(root)), "MPI_Bcast")
    }

    func gather(_ bytes: [UInt8]) -> [[UInt8]] {
        var received = [UInt8](repeating: 0, count: bytes.count * size)
        if !bytes.isEmpty {
            let status = bytes.withUnsafeBytes { sent in
                received.withUnsafeMutableBytes { dlc_mpi_allgather(sent.baseAddress, sent.count, $0.baseAddress) }
            }
            require(status, "MPI_Allgather")
        }
        return (0..<size).map { Array(received[($0 * bytes.count)..<(($0 + 1) * bytes.count)]) }
    }

    /// `MPI_Finalize`: every rank calls it once, at the end.
    func finish() {
        _ = dlc_mpi_finalize()
    }

    /// Ends every rank of the job with `code` (`MPI_Abort`).
    func abort(code: Int32) -> Never {
        dlc_mpi_abort(code)
        exit(code)
    }

    private func require(_ status: Int32, _ operation: String) {
        guard status != 0 else { return }
        FileHandle.standardError.write(Data("error: rank \(rank): \(operation) failed (MPI error \(status)); ending the job\n".utf8))
        abort(code: 1)
    }
}

/// Why a data-parallel run could not start.
enum DistributedError: Error, CustomStringConvertible {
    case libraryMissing(String)
    case initFailed(Int32)

    var description: String {
        switch self {
        case .libraryMissing(let reason):
            return "dlc was started to train on several processes but cannot load Open MPI (\(reason)); \(MPICollective.installAdvice)"
        case .initFailed(let status):
            return "MPI_Init_thread failed (MPI error \(status)); start dlc with `mpirun -n N dlc ...`"
        }
    }
}
