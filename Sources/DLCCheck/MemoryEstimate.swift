import DLCSpec

/// A rough estimate of what a training step holds in memory.
public enum MemoryEstimate {
    /// Weights, gradients and optimizer state, plus each layer's output and its gradient for one
    /// batch and what convolution and pooling keep, in float32. The runtime's planner reuses the
    /// buffers of values no longer needed, so its arena (`dlc bench`) is usually smaller.
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
        // Per example: every layer's output and its gradient, plus what the runtime keeps beside them.
        let (activations, kept, scratch) = perExampleFloats(model)
        let floats = ShapeArithmetic.add(ShapeArithmetic.add(ShapeArithmetic.multiply(activations, 2) ?? .max, kept) ?? .max, scratch) ?? .max
        let weights = ShapeArithmetic.multiply(model.parameterCount, 4, 2 + slots) ?? .max
        let state = ShapeArithmetic.multiply(model.stateCount, 4) ?? .max
        let perBatch = ShapeArithmetic.multiply(floats, batch, 4) ?? .max
        return ShapeArithmetic.add(ShapeArithmetic.add(weights, state) ?? .max, perBatch) ?? .max
    }

    /// Floats per example: the layers' outputs (and the input), every one counted as alive for the
    /// whole step, as a value read across branches may be; what convolution and pooling keep
    /// for the backward pass (a convolution's im2col patches and its output twice, once more
    /// where bias and activation fold in; max pooling's winners); and the one scratch region, as
    /// large as the largest convolution's patches.
    static func perExampleFloats(_ model: CheckedModel) -> (activations: Int, kept: Int, scratch: Int) {
        var activations = ShapeArithmetic.elementCount(model.inputShape) ?? .max
        var kept = 0, scratch = 0
        for layer in model.layers {
            let input = model.shape(of: layer.inputs[0])
            let output = ShapeArithmetic.elementCount(layer.outputShape) ?? .max
            activations = ShapeArithmetic.add(activations, output) ?? .max
            switch layer.spec.config {
            case .conv2d(_, let window, _, _, _):
                let pixels = layer.outputShape.count == 3 ? layer.outputShape[0] * layer.outputShape[1] : 0
                let pointwise = window.size == Size2D(height: 1, width: 1) && window.stride == Size2D(height: 1, width: 1)
                let patches = pointwise ? 0 : ShapeArithmetic.multiply(pixels, window.size.height, window.size.width, input.last ?? 1) ?? .max
                kept = ShapeArithmetic.add(ShapeArithmetic.add(kept, patches) ?? .max, output) ?? .max
                scratch = max(scratch, patches)
            case .conv1d(_, let window, _, _, _):
                let steps = layer.outputShape.first ?? 0
                let patches = window.size.width == 1 && window.stride.width == 1 ? 0 : ShapeArithmetic.multiply(steps, window.size.width, input.last ?? 1) ?? .max
                kept = ShapeArithmetic.add(ShapeArithmetic.add(kept, patches) ?? .max, output) ?? .max
                scratch = max(scratch, patches)
            case .recurrent(let recurrent):
                // Each direction keeps its gates and states for every step.
                let steps = input.first ?? 1
                let record = ShapeArithmetic.multiply(steps, recurrent.cell == .lstm ? 6 : 5, recurrent.units, recurrent.bidirectional ? 2 : 1) ?? .max
                kept = ShapeArithmetic.add(kept, record) ?? .max
            case .attention(let heads, _):
                // the probabilities of every head, the projections in and out
                let steps = input.first ?? 1
                let probabilities = ShapeArithmetic.multiply(heads, steps, steps) ?? .max
                kept = ShapeArithmetic.add(kept, ShapeArithmetic.add(probabilities, ShapeArithmetic.multiply(output, 5) ?? .max) ?? .max) ?? .max
                scratch = max(scratch, ShapeArithmetic.multiply(steps, steps) ?? .max)
            case .maxPool2D, .globalMaxPool, .maxPool1D:
                kept = ShapeArithmetic.add(kept, output) ?? .max
            case .concat, .add, .multiply:
                // The gradient of each input: a slice of the merged gradient, or a second product.
                kept = ShapeArithmetic.add(kept, output) ?? .max
            case .dense, .dropout, .activation, .flatten, .avgPool2D, .batchNorm, .reshape, .globalAvgPool, .layerNorm, .embedding, .avgPool1D, .positionalEmbedding:
                break
            }
        }
        return (activations, kept, scratch)
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
