/// How a weight tensor starts: the Keras names, with PyTorch's and Keras's formulas by fan.
public enum InitializerKind: String, Sendable, CaseIterable, Hashable {
    /// Normal, std `sqrt(2 / fanIn)` (PyTorch `kaiming_normal_`, relu gain, fan_in mode).
    case heNormal = "he_normal"
    /// Uniform on `±sqrt(6 / fanIn)`, variance `2 / fanIn`.
    case heUniform = "he_uniform"
    /// Normal, std `sqrt(2 / (fanIn + fanOut))` (`xavier_normal_`).
    case glorotNormal = "glorot_normal"
    /// Uniform on `±sqrt(6 / (fanIn + fanOut))` (`xavier_uniform_`, Keras's Dense default).
    case glorotUniform = "glorot_uniform"
    /// Normal, std `sqrt(1 / fanIn)`.
    case lecunNormal = "lecun_normal"
    /// Uniform on `±1 / sqrt(fanIn)`: PyTorch's LSTM and GRU weights and biases, with `fanIn` the units.
    case recurrentUniform = "recurrent_uniform"
    /// All zeros (biases).
    case zeros
}
