import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The C library's memory, from the operating system's side.
enum Memory {
    /// Hands the pages the allocator keeps after frees (reading a large CSV leaves tens of MB)
    /// back to the system, so that encoding's large output does not add to them.
    static func releaseFreedPages() {
        #if canImport(Glibc)
        // glibc's `malloc_trim`, which its Swift module does not export.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        typealias Trim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// A failed allocation ends a Swift program (it cannot be caught), so before the large ones
    /// (the data, the training buffers) dlc asks the C allocator for the same amount first and
    /// gives it straight back: under `ulimit -v`, or with too little memory, the user gets this
    /// error instead of a crash.
    struct Shortage: Error, CustomStringConvertible {
        let bytes: Int
        let purpose: String
        let advice: String

        var description: String {
            var text = "cannot allocate \(Memory.mebibytes(bytes)) for \(purpose)"
            if let limit = Memory.addressSpaceLimit {
                text += ": this process's address space is limited to \(Memory.mebibytes(limit)) (`ulimit -v`); raise the limit"
            } else {
                text += ": the system is out of memory; free some"
            }
            return text + ", or \(advice)"
        }
    }

    /// Throws `Shortage` unless `bytes` more can be allocated now. Not optimized: the optimizer
    /// would remove a `malloc` whose memory is only freed (measured: it did).
    @_optimize(none)
    static func require(_ bytes: Int, for purpose: String, advice: String) throws(Shortage) {
        guard bytes > 0 else { return }
        guard let probe = malloc(bytes) else { throw Shortage(bytes: bytes, purpose: purpose, advice: advice) }
        free(probe)
    }

    /// The soft `RLIMIT_AS` in bytes, nil when unlimited.
    static var addressSpaceLimit: Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.0f MiB", Double(bytes) / 1_048_576)
    }
}
