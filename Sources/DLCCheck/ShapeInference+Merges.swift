import DLCDiagnostics
import DLCSpec

extension ShapeInference {
    /// The output of `add`, `multiply` or `concat` over `shapes` (the inputs named `names`).
    mutating func mergeShape(_ layer: LayerSpec, shapes: [[Int]], names: [String]) -> [Int]? {
        let first = shapes[0]
        func disagree(_ index: Int, _ what: String, help: String) -> [Int]? {
            let residual = layer.residual != nil
            let message = residual
                ? "the `residual` block's layers output \(ShapeArithmetic.format(first)) (`\(names[0])`), but its shortcut `\(names[index])` is \(ShapeArithmetic.format(shapes[index]))"
                : "`\(layer.name)` \(what), but `\(names[0])` outputs \(ShapeArithmetic.format(first)) and `\(names[index])` outputs \(ShapeArithmetic.format(shapes[index]))"
            diagnostics.append(Diagnostic.error("merge-mismatch", message, at: residual ? layer.kindRange : layer.inputRanges[index],
                                                notes: residual ? [] : [DiagnosticNote("`\(names[0])` is named here", at: layer.inputRanges[0])])
                .helping(help))
            return nil
        }
        switch layer.config {
        case .add, .multiply:
            for (index, shape) in shapes.enumerated().dropFirst() where shape != first {
                if let shortcut = layer.residual, shortcut.projection == .none {
                    diagnostics.append(.error("projection-needed",
                                              "the `residual` block changes its input's shape from \(ShapeArithmetic.format(shape)) to \(ShapeArithmetic.format(first)), but `projection: none` keeps the shortcut as it is",
                                              at: shortcut.projectionRange ?? layer.kindRange,
                                              help: ["use `projection: auto` to project the shortcut, or make the block's last layer output \(ShapeArithmetic.format(shape))"]))
                    return nil
                }
                return disagree(index, "needs inputs of one shape",
                                help: "every input of `\(layer.kind)` needs the same shape; project one with a `dense` or 1x1 `conv2d` layer, or use `concat`")
            }
            return first
        case .concat(let axis):
            let rank = first.count
            let along = axis < 0 ? rank + axis : axis
            guard along >= 0, along < rank else {
                diagnostics.append(.error("axis-out-of-range", "`axis` \(axis) is out of range for `\(names[0])`'s output \(ShapeArithmetic.format(first)), which has \(rank) ax\(rank == 1 ? "is" : "es")",
                                          at: layer.optionRanges["axis"] ?? layer.kindRange,
                                          help: [rank == 1 ? "vectors join along their only axis: drop `axis`, or write `axis: 0`" : "use an axis from 0 to \(rank - 1), or -1 for the last"]))
                return nil
            }
            var output = first
            for (index, shape) in shapes.enumerated().dropFirst() {
                guard shape.count == rank else {
                    return disagree(index, "needs inputs with the same number of axes",
                                    help: "add `- flatten` to the image input, or reshape one input so the axes line up")
                }
                for dimension in 0..<rank where dimension != along && shape[dimension] != first[dimension] {
                    return disagree(index, "joins along axis \(along), so the other axes must agree",
                                    help: rank == 3 && dimension < 2
                                        ? "images of different sizes: pool or stride the larger one, or `flatten` both first"
                                        : "make axis \(dimension) agree, or join along it")
                }
                guard let sum = ShapeArithmetic.add(output[along], shape[along]) else { return nil }
                output[along] = sum
            }
            return output
        case .dense, .dropout, .activation, .flatten, .conv2d, .maxPool2D, .avgPool2D, .batchNorm, .reshape,
             .globalAvgPool, .globalMaxPool, .layerNorm, .embedding, .conv1d, .maxPool1D, .avgPool1D, .recurrent, .attention, .positionalEmbedding:
            preconditionFailure("internal: `\(layer.name)` is not a merge")
        }
    }

    /// The bias-free 1x1 convolution (images) or dense layer (vectors) that takes a residual
    /// block's shortcut from `shape` to `target`, named `BLOCK.projection`.
    mutating func projection(for add: LayerSpec, input: LayerInput, from shape: [Int], to target: [Int]) -> CheckedLayer? {
        let config: LayerConfig
        let parameters: Int?
        if shape.count == 1, target.count == 1 {
            config = .dense(units: target[0], activation: .linear, useBias: false, initializer: nil)
            parameters = ShapeArithmetic.multiply(shape[0], target[0])
        } else if shape.count == 3, target.count == 3,
                  let strideHeight = Self.projectionStride(shape[0], target[0]), let strideWidth = Self.projectionStride(shape[1], target[1]) {
            let stride = Size2D(height: strideHeight, width: strideWidth)
            config = .conv2d(filters: target[2], window: WindowSpec(size: Size2D(height: 1, width: 1), stride: stride, padding: .valid),
                             activation: .linear, useBias: false, initializer: nil)
            parameters = ShapeArithmetic.multiply(shape[2], target[2])
        } else {
            diagnostics.append(.error("no-projection", "no projection takes the `residual` block's input \(ShapeArithmetic.format(shape)) to its layers' output \(ShapeArithmetic.format(target))",
                                      at: add.kindRange,
                                      help: [shape.count == target.count
                                             ? "a 1x1 convolution can only keep or shrink the height and width by a whole stride; make the block's layers output a size it can reach"
                                             : "a projection keeps the number of axes; flatten or pool inside the block only after it, or make the shortcut by hand with `from:` and `add`"]))
            return nil
        }
        guard let parameters else { return nil }
        let name = "\(add.name).projection"
        let kind = shape.count == 1 ? "dense" : "conv2d"
        let spec = LayerSpec(name: name, kind: kind, config: config, range: add.range, kindRange: add.kindRange, optionRanges: [:],
                             inputs: [add.inputs[1]], inputRanges: [add.inputRanges[1]])
        return CheckedLayer(name: name, kind: kind, inputs: [input], outputShape: target, parameterCount: parameters, stateCount: 0, spec: spec)
    }

    /// The stride of a 1x1 window that takes `length` to `target` (`ceil(length / stride)`), if one does.
    static func projectionStride(_ length: Int, _ target: Int) -> Int? {
        guard target >= 1, target <= length else { return nil }
        let stride = (length + target - 1) / target
        return (length + stride - 1) / stride == target ? stride : nil
    }
}
