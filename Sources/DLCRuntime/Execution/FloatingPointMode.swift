import CBLAS

/// The CPU's handling of denormal floats for the thread that trains.
public enum FloatingPointMode {
    /// Flushes denormals to zero on the calling thread. Gradients that shrink toward zero would
    /// otherwise hit the slow denormal path (about 100x slower on x86); the values lost are below
    /// 1e-38, far under float32's precision for any loss or weight.
    public static func flushDenormals() {
        dlc_flush_denormals()
    }
}
