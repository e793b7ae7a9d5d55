import DLCDiagnostics
import DLCSpec
import Testing

struct SpecDecoderTests {
    static let iris = """
        name: iris-mlp
        hyperparameters:
          hidden_layers: 2
          neurons: 16
          learning_rate: 0.01
        model:
          input: [4]
          layers:
            - repeat: $hidden_layers
              layers:
                - dense: {units: $neurons, activation: relu}
            - dense: {units: 3, activation: softmax}
        loss: cross_entropy
        optimizer:
          adam: {learning_rate: $learning_rate}
        training: {epochs: 100, batch_size: 16, seed: 42}
        metrics: [accuracy]
        """

    func load(_ text: String, overrides: [(name: String, text: String)] = []) -> LoadedSpec {
        SpecLoader.load(text: text, overrides: overrides)
    }

    @Test func referencesResolveAndRepeatExpands() throws {
        let loaded = load(Self.iris)
        #expect(loaded.diagnostics.isEmpty)
        let spec = try #require(loaded.spec)
        let layers = try #require(spec.model?.layers)
        #expect(layers.map(\.name) == ["dense_0", "dense_1", "dense_2"])
        #expect(layers[0].config == .dense(units: 16, activation: .relu, useBias: true, initializer: nil))
        #expect(layers[2].config == .dense(units: 3, activation: .softmax, useBias: true, initializer: nil))
        #expect(spec.optimizer?.value.kind == .adam)
        #expect(spec.optimizer?.value.learningRate == 0.01)
        #expect(spec.optimizer?.value.beta2 == 0.999)
        #expect(spec.training?.batchSize.value == 16)
        #expect(spec.training?.seed == 42)
        #expect(spec.metrics.map(\.value) == [.accuracy])
    }

    @Test func overridesReplaceHyperparameters() throws {
        let loaded = load(Self.iris, overrides: [("hidden_layers", "4"), ("neurons", "32"), ("learning_rate", "1e-3")])
        #expect(loaded.diagnostics.isEmpty)
        let layers = try #require(loaded.spec?.model?.layers)
        #expect(layers.count == 5)
        #expect(layers[3].config == .dense(units: 32, activation: .relu, useBias: true, initializer: nil))
        #expect(loaded.spec?.optimizer?.value.learningRate == 0.001)
    }

    @Test func unknownOverrideSuggestsTheClosestName() throws {
        let diagnostic = try #require(load(Self.iris, overrides: [("neuron", "8")]).diagnostics.first)
        #expect(diagnostic.code == "unknown-override")
        #expect(diagnostic.help == ["did you mean `neurons`?"])
    }

    @Test func overrideOfTheWrongTypeNotesTheOverride() throws {
        let diagnostic = try #require(load(Self.iris, overrides: [("neurons", "2.5")]).diagnostics.first)
        #expect(diagnostic.code == "wrong-type")
        #expect(diagnostic.message == "`units` takes a positive integer, but `$neurons` is the number `2.5`")
        #expect(diagnostic.notes.map(\.message) == ["`neurons` is set by `--set neurons=2.5`"])
        #expect(diagnostic.range?.start == SourceLocation(line: 11, column: 26))
    }

    @Test func unknownReferenceSuggestsTheClosestName() throws {
        let text = Self.iris.replacingOccurrences(of: "units: $neurons", with: "units: $nuerons")
        let diagnostics = load(text).diagnostics
        #expect(diagnostics.map(\.code) == ["unknown-reference"])
        #expect(diagnostics.first?.help == ["did you mean `$neurons`?"])
    }

    @Test func repeatReportsABadBlockOnce() {
        let text = Self.iris.replacingOccurrences(of: "activation: relu", with: "activation: rellu")
        let diagnostics = load(text).diagnostics
        #expect(diagnostics.map(\.code) == ["unknown-name"])
        #expect(diagnostics.first?.help == ["did you mean `relu`?"])
    }

    @Test func namedLayersKeepTheirNames() throws {
        let text = Self.iris.replacingOccurrences(of: "{units: 3, activation: softmax}", with: "{units: 3, activation: softmax, name: output}")
        let layers = try #require(load(text).spec?.model?.layers)
        #expect(layers.last?.name == "output")
    }

    @Test func unusedHyperparametersWarn() {
        let text = Self.iris.replacingOccurrences(of: "  learning_rate: 0.01\n", with: "  learning_rate: 0.01\n  dropout: 0.5\n")
        let diagnostics = load(text).diagnostics
        #expect(diagnostics.map(\.code) == ["unused-hyperparameter"])
        #expect(diagnostics.first?.severity == .warning)
    }

    @Test func independentErrorsAreAllReported() {
        let text = Self.iris
            .replacingOccurrences(of: "loss: cross_entropy", with: "loss: crossentropy")
            .replacingOccurrences(of: "epochs: 100", with: "epochs: 0")
            .replacingOccurrences(of: "metrics: [accuracy]", with: "metrics: [acuracy]")
        let codes = load(text).diagnostics.map(\.code)
        #expect(codes == ["unknown-name", "out-of-range", "unknown-name"])
    }

    @Test func layerKindsDecodeTheirOptions() throws {
        let text = """
            name: cnn
            model:
              input: [28, 28, 1]
              layers:
                - conv2d: {filters: 8, kernel: [3, 5], stride: 2, padding: same, activation: relu}
                - maxpool2d
                - avgpool2d: {size: 3, stride: 1}
                - batchnorm: {momentum: 0.01}
                - leaky_relu: {negative_slope: 0.2}
                - reshape: {shape: [-1]}
                - dropout: {rate: 0.25}
                - dense: {units: 10, use_bias: false, init: glorot_uniform}
            loss: cross_entropy
            optimizer: sgd
            """
        let loaded = load(text)
        #expect(loaded.diagnostics.isEmpty)
        let configs = try #require(loaded.spec?.model?.layers.map(\.config))
        #expect(configs[0] == .conv2d(filters: 8, window: WindowSpec(size: Size2D(height: 3, width: 5), stride: Size2D(height: 2, width: 2), padding: .same),
                                      activation: .relu, useBias: true, initializer: nil))
        #expect(configs[1] == .maxPool2D(WindowSpec(size: Size2D(height: 2, width: 2), stride: Size2D(height: 2, width: 2), padding: .valid)))
        #expect(configs[2] == .avgPool2D(WindowSpec(size: Size2D(height: 3, width: 3), stride: Size2D(height: 1, width: 1), padding: .valid)))
        #expect(configs[3] == .batchNorm(momentum: 0.01, epsilon: 1e-5, synchronized: false))
        #expect(configs[4] == .activation(.leakyReLU, parameter: 0.2))
        #expect(configs[5] == .reshape(shape: [-1]))
        #expect(configs[6] == .dropout(rate: 0.25))
        #expect(configs[7] == .dense(units: 10, activation: .linear, useBias: false, initializer: "glorot_uniform"))
        #expect(loaded.spec?.optimizer?.value.learningRate == 0.01)
    }

    @Test func everyVocabularyLayerKindDecodes() {
        for kind in Vocabulary.layers {
            let options = kind.options.filter(\.isRequired).map { option -> String in
                switch option.name {
                case "units", "filters": return "\(option.name): 2"
                case "kernel": return "kernel: 1"
                case "rate": return "rate: 0.5"
                case "shape": return "shape: [-1]"
                case "from": return "from: [input, first]"
                default: return "\(option.name): 1"
                }
            }
            let layer = options.isEmpty ? kind.name : "\(kind.name): {\(options.joined(separator: ", "))}"
            let text = "name: m\nmodel:\n  input: [4, 4, 2]\n  layers:\n    - relu: {name: first}\n    - \(layer)\nloss: mse\noptimizer: sgd\n"
            let loaded = load(text)
            #expect(loaded.diagnostics.isEmpty, "\(kind.name): \(loaded.diagnostics.map(\.message))")
            #expect(loaded.spec?.model?.layers.last?.kind == kind.name)
        }
    }
}
