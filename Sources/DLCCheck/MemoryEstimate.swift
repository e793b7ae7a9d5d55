import DLCSpec

/// A rough estimate of what a training step holds in memory.
public enum MemoryEstimate {
    /// Weights, gradients and optimizer state, plus each layer's output and its gradient for one batch, in float32.
    static func trainingBytes(_ model: CheckedModel) -> Int {
        let batch = model.spec.training?.batchSize.value ?? 32
        var slots = 0
        if let optimizer = model.spec.optimizer?.value {
            switch optimizer.kind {
            case .sgd: slots = optimizer.momentum > 0 ? 1 : 0
            case .adam, .adamw: slots = 2
            case .rmsprop: slots = 1 + (optimizer.momentum > 0 ? 1 : 0) + (optimizer.centered ? 1 : 0)
            }
        }
        var activations = ShapeArithmetic.elementCount(model.inputShape) ?? 0
        for layer in model.layers {
            activations = ShapeArithmetic.add(activations, ShapeArithmetic.elementCount(layer.outputShape) ?? 0) ?? .max
        }
        let weights = ShapeArithmetic.multiply(model.parameterCount, 4, 2 + slots) ?? .max
        let state = ShapeArithmetic.multiply(model.stateCount, 4) ?? .max
        let perBatch = ShapeArithmetic.multiply(activations, batch, 4, 2) ?? .max
        return ShapeArithmetic.add(ShapeArithmetic.add(weights, state) ?? .max, perBatch) ?? .max
    }

    /// `1.5 MiB`.
    public static func format(bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let rounded = (value * 10).rounded() / 10
        return (unit == 0 ? String(bytes) : (rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded))) + " " + units[unit]
    }
}
