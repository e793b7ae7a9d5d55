import CBLAS
import Foundation

/// One-time OpenBLAS setup for a process that trains: the right kernels for this CPU and the thread count.
public enum BLASSetup {
    /// The kernels OpenBLAS uses, such as `SkylakeX` or `Haswell`.
    public static var coreName: String { String(cString: dlc_openblas_core()) }

    private static let upgrade: Bool = {
        // `DLC_OPENBLAS_CORE=keep` leaves OpenBLAS's own choice alone.
        guard ProcessInfo.processInfo.environment["DLC_OPENBLAS_CORE"] != "keep" else { return false }
        return dlc_upgrade_openblas_core() == 1
    }()

    /// Picks the CPU's kernels when OpenBLAS fell back to generic ones (it does not know every
    /// newer CPU), and sets the thread count (of BLAS and of the runtime's own split work); call before the first BLAS call.
    public static func configure(threads: Int) {
        _ = upgrade
        Kernels.setThreadCount(threads)
        Parallel.defaultThreadCount = max(1, threads)
    }
}
