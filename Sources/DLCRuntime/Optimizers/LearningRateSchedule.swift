import DLCGraph
import Foundation

/// Learning rates per epoch: an optional linear warmup, then a step, exponential or cosine decay.
///
/// Matches PyTorch's `LinearLR(start_factor: 1 / (warmup + 1), total_iters: warmup)` chained by
/// `SequentialLR(milestones: [warmup])` to `StepLR`, `ExponentialLR` or `CosineAnnealingLR(T_max: epochs - warmup)`,
/// evaluated in closed form (in double, rounded once to Float).
public enum LearningRateSchedule {
    /// The rate for a 0-based epoch, from the base rate, the schedule (nil: constant), and the total epochs (cosine).
    ///
    /// With w = warmupEpochs:
    /// - epoch < w: base * (epoch + 1) / (w + 1)
    /// - otherwise, with e = epoch - w:
    ///   - step: base * gamma^floor(e / stepSize) (a step size below 1 counts as 1)
    ///   - exponential: base * gamma^e
    ///   - cosine over E = epochs - w epochs: minimum + (base - minimum) * (1 + cos(pi * e / E)) / 2
    ///     (the base rate when E < 1, so there is nothing to anneal)
    public static func rate(base: Float, schedule: ScheduleConfiguration?, epoch: Int, epochs: Int) -> Float {
        guard let schedule else { return base }
        let rate = Double(base)
        let warmup = max(schedule.warmupEpochs, 0)
        if epoch < warmup {
            return Float(rate * Double(epoch + 1) / Double(warmup + 1))
        }
        let e = epoch - warmup
        switch schedule.kind {
        case .step(let stepSize, let gamma):
            let decays = e / max(stepSize, 1)
            return Float(rate * pow(Double(gamma), Double(decays)))
        case .exponential(let gamma):
            return Float(rate * pow(Double(gamma), Double(e)))
        case .cosine(let minimumLearningRate):
            let total = epochs - warmup
            guard total >= 1 else { return base }
            let minimum = Double(minimumLearningRate)
            return Float(minimum + (rate - minimum) * (1 + cos(Double.pi * Double(e) / Double(total))) / 2)
        }
    }
}
