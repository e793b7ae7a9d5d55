import DLCSpec

/// One tensor a model keeps: a layer's weight, bias or normalization statistics, or a category
/// column's embedding table.
public struct ModelParameter: Sendable, Hashable {
    /// The checkpoint name: `LAYER.weight`, `LAYER.bias`, `LAYER.running_mean`, `COLUMN.embedding`, ...
    public var name: String
    /// The tensor's shape.
    public var shape: [Int]
    /// The index of the layer that owns it in `CheckedModel.layers`; nil for an embedding table.
    public var layer: Int?
    /// Running statistics (saved, never trained).
    public var isState: Bool

    public var elementCount: Int { shape.reduce(1, *) }
}

extension CheckedModel {
    /// Every tensor of the model, named and shaped as `lower` makes them and checkpoints hold them
    /// (a test holds the two to agreement on every spec).
    public var parameters: [ModelParameter] {
        var result: [ModelParameter] = []
        if let encoding {
            for embedding in encoding.embeddings {
                result.append(ModelParameter(name: "\(embedding.column).embedding", shape: [embedding.rows, embedding.dimension],
                                             layer: nil, isState: false))
            }
        }
        for (index, layer) in layers.enumerated() {
            result += layerParameters(index).map { ModelParameter(name: "\(layer.name).\($0.suffix)", shape: $0.shape, layer: index,
                                                                   isState: $0.isState) }
        }
        return result
    }

    /// A layer's tensors: suffix, shape and whether it is state.
    public func layerParameters(_ index: Int) -> [(suffix: String, shape: [Int], isState: Bool)] {
        let layer = layers[index]
        let input = layer.inputs.first.map { shape(of: $0) } ?? inputShape
        switch layer.spec.config {
        case .dense(let units, _, let useBias, _):
            let inputs = input.reduce(1, *)
            return [("weight", [inputs, units], false)] + (useBias ? [("bias", [units], false)] : [])
        case .conv2d(let filters, let window, _, let useBias, _):
            let channels = input.last ?? 1
            return [("weight", [window.size.height, window.size.width, channels, filters], false)]
                + (useBias ? [("bias", [filters], false)] : [])
        case .batchNorm:
            let channels = input.last ?? 1
            return [("weight", [channels], false), ("bias", [channels], false),
                    ("running_mean", [channels], true), ("running_var", [channels], true)]
        case .layerNorm:
            let features = input.last ?? 1
            return [("weight", [features], false), ("bias", [features], false)]
        case .embedding(let dimension, let vocabulary):
            return [("weight", [vocabulary ?? tokenVocabulary ?? 0, dimension], false)]
        case .conv1d(let filters, let window, _, let useBias, _):
            let channels = input.last ?? 1
            return [("weight", [window.size.width, channels, filters], false)] + (useBias ? [("bias", [filters], false)] : [])
        case .recurrent(let recurrent):
            let features = input.last ?? 1
            let width = (recurrent.cell == .lstm ? 4 : 3) * recurrent.units
            let directions = recurrent.bidirectional ? ["", "_reverse"] : [""]
            return directions.flatMap { suffix in
                [("weight_ih" + suffix, [features, width], false), ("weight_hh" + suffix, [recurrent.units, width], false),
                 ("bias_ih" + suffix, [width], false), ("bias_hh" + suffix, [width], false)]
            }
        case .attention:
            let dimension = input.last ?? 1
            return [("in_proj_weight", [dimension, 3 * dimension], false), ("in_proj_bias", [3 * dimension], false),
                    ("out_proj_weight", [dimension, dimension], false), ("out_proj_bias", [dimension], false)]
        case .positionalEmbedding:
            return [("weight", input, false)]
        case .dropout, .activation, .flatten, .maxPool2D, .avgPool2D, .reshape, .add, .multiply, .concat, .globalAvgPool, .globalMaxPool,
             .maxPool1D, .avgPool1D:
            return []
        }
    }

    /// The ids an `embedding` without `vocabulary` takes: the text column's vocabulary.
    public var tokenVocabulary: Int? { encoding?.onlyText?.vocabularySize }

    /// Trainable parameters of frozen layers (`trainable: false`).
    public var frozenParameterCount: Int {
        layers.filter { !$0.spec.isTrainable }.reduce(0) { $0 + $1.parameterCount }
    }
}
