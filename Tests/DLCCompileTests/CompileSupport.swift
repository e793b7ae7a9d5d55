import DLCCheck
import DLCCompile
import DLCData
import DLCGraph
import DLCRuntime
import DLCSpec
import Testing

/// The kernels the command line uses (OpenBLAS's best for this CPU), so they are the ones tested,
/// and the runtime's own split work on 2 threads; OpenBLAS itself on one. Its thread count is
/// process-wide and a convolution split sets it to 1 while it runs, so with tests running side by
/// side a product elsewhere would run on 1 or 2 threads by chance, and 1 and 2 threads may round
/// differently: exact-repeat checks would race.
func configureBLASForTests() {
    BLASSetup.configure(threads: 2)
    Kernels.setThreadCount(1)
}

/// Builds a checked model from the parts of a spec, without reading data files.
func checkedModel(input: String, layers: [String], loss: String, data: String = "{builtin: moons}",
                  optimizer: String = "sgd", batchSize: Int = 3, metrics: String = "[]") throws -> CheckedModel {
    configureBLASForTests()
    let text = """
        name: test
        data:
          train: \(data)
        model:
          input: \(input)
          layers:
        \(layers.map { "    - " + $0 }.joined(separator: "\n"))
        loss: \(loss)
        optimizer: \(optimizer)
        training: {epochs: 1, batch_size: \(batchSize), seed: 3}
        metrics: \(metrics)
        """
    var options = CheckOptions()
    options.readsData = false
    let result = Checker.check(SpecLoader.load(text: text), options: options)
    #expect(!result.hasErrors, "\(result.diagnostics.map(\.message))")
    return try #require(result.model)
}

/// An executor for a compiled graph with seeded parameters and random inputs.
func makeExecutor(_ graph: Graph, plan: BufferPlan, classes: Int = 2, seed: UInt64 = 5, threads: Int? = nil) -> Executor {
    let parameters = ParameterStore(graph.parameters, seed: seed)
    // Nonzero biases, so their gradients are exercised away from zero.
    for (index, info) in graph.parameters.enumerated() where info.initializer == "zeros" {
        for i in 0..<info.elementCount { parameters.tensors[index][i] = Float(i % 3) * 0.1 - 0.1 }
    }
    let executor = Executor(graph: graph, plan: plan, parameters: parameters, seed: seed, threads: threads)
    var generator = SeededRandom(seed: seed, stream: 9)
    for (index, node) in graph.nodes.enumerated() {
        let pointer = executor.pointer(index)
        switch node.op {
        case .features, .targets:
            for i in 0..<node.elementCount { pointer[i] = Float(generator.nextGaussian()) }
        case .labels:
            for i in 0..<node.elementCount { pointer[i] = Float(i % classes) }
        default:
            continue
        }
    }
    return executor
}

/// Runs `loss` once, then compares every trainable parameter's analytic gradient (about 8
/// elements of each, or `elements` of them) with central finite differences; returns the
/// analytic gradients, in `graph.gradients` order.
@discardableResult
func expectGradientsMatchFiniteDifferences(
    _ graph: Graph, _ executor: Executor, name: String, elements: ((Int) -> StrideTo<Int>)? = nil, loss: () -> Double
) -> [[Float]] {
    _ = loss()
    let analytic = graph.gradients.map { Array(UnsafeBufferPointer(start: executor.pointer($0), count: graph.nodes[$0].elementCount)) }
    let h: Float = 3e-3
    for (gradient, index) in graph.trainableParameters.enumerated() {
        let info = graph.parameters[index]
        let values = executor.parameters.tensors[index]
        let chosen = elements?(info.elementCount) ?? stride(from: 0, to: info.elementCount, by: max(1, info.elementCount / 7))
        for element in chosen {
            let original = values[element]
            values[element] = original + h
            let plus = loss()
            values[element] = original - h
            let minus = loss()
            values[element] = original
            let numeric = (plus - minus) / Double(2 * h)
            let exact = Double(analytic[gradient][element])
            let tolerance = 2e-2 * max(abs(numeric), abs(exact)) + 2e-3
            #expect(abs(numeric - exact) <= tolerance, "\(name): d loss / d \(info.name)[\(element)] = \(exact), finite differences give \(numeric)")
        }
    }
    return analytic
}
