import DLCCheck
import DLCCompile
import DLCGraph
import DLCSpec
import Foundation
import Testing

/// The checker's list of a model's tensors (what `init: {checkpoint: PATH}` is checked against)
/// is the list `lower` makes: same names, shapes and order of state, for every spec in `specs/`.
@Suite("Parameter names")
struct ParameterNamingTests {
    static let specs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("specs")

    static var specNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: specs.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test("The checker names every tensor as lower does", arguments: specNames)
    func checkerAgreesWithLower(_ name: String) throws {
        var options = CheckOptions()
        options.purpose = .run
        let result = Checker.check(path: Self.specs.appendingPathComponent(name).path, options: options)
        let model = try #require(result.model, "\(result.diagnostics.map(\.message))")
        let graph = try Lower.lower(model, batchSize: 2, mode: .training)
        let lowered = graph.parameters.filter { $0.name != ParameterInfo.classWeightsName }
        #expect(lowered.map(\.name).sorted() == model.parameters.map(\.name).sorted())
        let shapes = Dictionary(model.parameters.map { ($0.name, $0.shape) }, uniquingKeysWith: { first, _ in first })
        for info in lowered { #expect(shapes[info.name] == info.shape, "\(info.name)") }
        let state = Set(model.parameters.filter(\.isState).map(\.name))
        for info in lowered where state.contains(info.name) { #expect(!info.isTrainable, "\(info.name) is state") }
    }

    @Test("trainable: false: the layer's tensors get no gradient; the others still do")
    func frozenLayers() throws {
        let model = try checkedModel(input: "[2]", layers: ["dense: {units: 4, activation: relu, trainable: false, name: body}",
                                                            "batchnorm: {trainable: false}", "dense: {units: 2, name: head}"],
                                     loss: "cross_entropy")
        #expect(model.frozenParameterCount == 12 + 8)
        let (graph, _) = try Compiler.trainingPlan(model, batchSize: 3)
        let trainable = graph.trainableParameters.map { graph.parameters[$0].name }
        #expect(trainable == ["head.weight", "head.bias"])
        #expect(graph.gradients.count == 2)
    }
}
