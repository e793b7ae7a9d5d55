import CBLAS
import Foundation

/// One-time OpenBLAS setup for a process that trains: the right kernels for this CPU and the thread count.
/// OpenBLAS is loaded on first use (`dlopen`, in `CBLAS`), never at start-up.
public enum BLASSetup {
    /// OpenBLAS could not be loaded: the commands that train or evaluate stop with this.
    public struct LibraryMissing: Error, CustomStringConvertible {
        public let reason: String
        public var description: String {
            "OpenBLAS could not be loaded (\(reason)); install it (Debian and Ubuntu: `apt-get install libopenblas0`, "
                + "macOS: `brew install openblas`), or name the library file in DLC_OPENBLAS_LIBRARY"
        }
    }

    /// Loads OpenBLAS now, or says why it cannot be loaded. The kernels fall back to plain loops
    /// without it (correct, many times slower): a command that trains calls this first.
    public static func requireLibrary() throws(LibraryMissing) {
        guard dlc_blas_load() == 1 else { throw LibraryMissing(reason: String(cString: dlc_blas_load_error())) }
    }

    /// The kernels OpenBLAS uses, such as `SkylakeX` or `Haswell`.
    public static var coreName: String { String(cString: dlc_openblas_core()) }

    private static let upgrade: Bool = {
        // `DLC_OPENBLAS_CORE=keep` leaves OpenBLAS's own choice alone.
        guard ProcessInfo.processInfo.environment["DLC_OPENBLAS_CORE"] != "keep" else { return false }
        return dlc_upgrade_openblas_core() == 1
    }()

    /// With up to `shortTimeoutThreadLimit` threads, OpenBLAS's idle threads spin for 2^20 cycles
    /// (about 0.4 ms) before they sleep, not 2^28 (0.1 s), so they leave the cores to the
    /// runtime's own split work soon after a product. Measured (median of 3-5 rounds, `dlc bench`):
    /// - this repository's 2-core machine: the MNIST CNN trains 1.2-1.4x faster (4,100-4,500 to
    ///   5,400-5,900 samples/s); the MNIST MLP is unchanged within noise. 2^4-2^10 cost the MLP 15%.
    /// - a shared 16-core Xeon (one run each): at 4 threads the CNN gained 17% (3,811 to 4,456); at
    ///   8 and 16 threads waking that many sleeping threads for each dense product cost more
    ///   (its first dense layer 0.5-0.7 ms became 6-7 ms; the MLP lost 26% at 16 threads).
    /// `OPENBLAS_THREAD_TIMEOUT` overrides it.
    static let threadTimeoutLog2Cycles: Int32 = 20
    static let shortTimeoutThreadLimit = 4

    private static let shortTimeout: Bool = dlc_set_openblas_thread_timeout(threadTimeoutLog2Cycles) == 1

    /// Picks the CPU's kernels when OpenBLAS fell back to generic ones (it does not know every
    /// newer CPU), and sets the thread count (of BLAS and of the runtime's own split work). The
    /// first call swaps OpenBLAS's kernel table: make it before other threads call BLAS.
    public static func configure(threads: Int) {
        _ = upgrade
        Kernels.setThreadCount(threads)
        Parallel.defaultThreadCount = max(1, threads)
    }

    /// `configure`, and with few threads OpenBLAS's shorter idle-thread timeout
    /// (`threadTimeoutLog2Cycles`), for a command-line process at start-up: restarting OpenBLAS's
    /// threads while another thread is inside a threaded BLAS call could hang it, so nothing else
    /// may be using BLAS yet.
    public static func configureProcess(threads: Int) {
        // Before the first load, OpenBLAS reads the timeout and the thread count as it starts its threads.
        dlc_blas_prepare_threads(Int32(clamping: max(1, threads)))
        if threads <= shortTimeoutThreadLimit { _ = shortTimeout }
        _ = upgrade
        configure(threads: threads)
    }
}
