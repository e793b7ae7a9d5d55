import DLCCheck
import DLCCompile
import DLCDiagnostics
import DLCRuntime
import Testing

/// `dlc check`'s memory estimate against the planner's real arena, and the check of a plan's
/// memory against the machine (`MemoryFit`) that `run`, `bench`, `eval` and `predict` make first.
struct MemoryTests {
    @Test("the checker's estimate is at or above what training really allocates, and within 1.5x",
          arguments: [
              ("[12, 12, 3]", ["conv2d: {filters: 8, kernel: 3, padding: same, activation: relu}", "maxpool2d: {size: 2}",
                               "conv2d: {filters: 16, kernel: 3, padding: same, activation: relu}", "maxpool2d: {size: 2}",
                               "flatten", "dense: {units: 32, activation: relu}", "dropout: {rate: 0.3}", "dense: {units: 3}"]),
              ("[20]", ["dense: {units: 64, activation: relu}", "dense: {units: 64, activation: tanh}", "dense: {units: 3}"]),
              ("[8, 8, 1]", ["conv2d: {filters: 4, kernel: 1}", "batchnorm", "relu", "avgpool2d: {size: 2}", "flatten", "dense: {units: 3}"]),
          ])
    func estimateBoundsThePlan(input: String, layers: [String]) throws {
        let model = try checkedModel(input: input, layers: layers, loss: "cross_entropy", optimizer: "adam", batchSize: 32)
        let (graph, plan) = try Compiler.trainingPlan(model, batchSize: 32)
        let parameters = graph.parameters.reduce(0) { $0 + $1.elementCount }
        let trainable = graph.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.elementCount }
        // Parameters, Adam's two state tensors, and the arena (which holds the gradients).
        let allocated = (plan.arenaSize + parameters + 2 * trainable) * 4
        let estimate = model.trainingMemoryBytes
        #expect(estimate >= allocated, "estimate \(estimate) bytes, allocated \(allocated)")
        #expect(Double(estimate) <= 1.5 * Double(allocated), "estimate \(estimate) bytes, allocated \(allocated)")
    }

    static let gibibyte = 1 << 30

    @Test func planThatFitsHasNoDiagnostic() {
        let fit = MemoryFit(batchArenaBytes: 2 * Self.gibibyte, batchSize: 64, fixedBytes: 1 << 20, parameterBytes: 1 << 20)
        #expect(fit.diagnostic(at: nil, dataBytes: 1 << 28, physical: 16 * Self.gibibyte, available: 8 * Self.gibibyte) == nil)
        #expect(fit.diagnostic(at: nil, dataBytes: 0, physical: 4 * Self.gibibyte, available: nil) == nil)
    }

    @Test func planLargerThanTheMachineIsAnErrorThatSaysWhatFits() throws {
        // 100 bytes an example; 600 bytes of memory less 100 of data, 100 of parameters and 100 of
        // other plans leave 3 examples.
        let fit = MemoryFit(batchArenaBytes: 1000, batchSize: 10, fixedBytes: 200, parameterBytes: 100)
        let diagnostic = try #require(fit.diagnostic(at: nil, dataBytes: 100, physical: 600, available: nil))
        #expect(diagnostic.severity == .error && diagnostic.code == "memory")
        #expect(diagnostic.message.contains("needs 1.2 KiB of memory at batch size 10 (buffers 1.1 KiB, parameters and optimizer state 100 B)"))
        #expect(diagnostic.message.contains("more than this machine's 600 B less the data's 100 B"))
        #expect(diagnostic.help == ["lower `batch_size`: about 3 fits"])
        // What fits is sized to the memory free now when that is smaller (MemAvailable already
        // leaves out the loaded data).
        let tight = try #require(fit.diagnostic(at: nil, dataBytes: 100, physical: 600, available: 400))
        #expect(tight.help == ["lower `batch_size`: about 2 fits"])
    }

    @Test func planLargerThanFreeMemoryIsAWarning() throws {
        let fit = MemoryFit(batchArenaBytes: 6 * Self.gibibyte, batchSize: 600, fixedBytes: 0, parameterBytes: 0)
        let diagnostic = try #require(fit.diagnostic(at: nil, dataBytes: Self.gibibyte, physical: 16 * Self.gibibyte,
                                                     available: 3 * Self.gibibyte))
        #expect(diagnostic.severity == .warning)
        #expect(diagnostic.message.contains("more than the 3 GiB free now"))
        #expect(diagnostic.help == ["lower `batch_size`: about 300 fits"])
    }

    @Test func largestBatchScalesOnlyTheBatchArena() {
        let fit = MemoryFit(batchArenaBytes: 256 * 1000, batchSize: 256, fixedBytes: 5000, parameterBytes: 3000)
        #expect(fit.largestBatch(free: 5000 + 43 * 1000 + 999) == 43)
        #expect(fit.largestBatch(free: 5000 + 999) == 0)
        #expect(fit.largestBatch(free: 4000) == 0)
    }

    @Test("when no batch fits, the help says whether the parameters alone are too many")
    func noBatchFits() throws {
        let tooManyParameters = MemoryFit(batchArenaBytes: 1000, batchSize: 10, fixedBytes: 5000, parameterBytes: 5000)
        let first = try #require(tooManyParameters.diagnostic(at: nil, dataBytes: 0, physical: 4000, available: nil))
        #expect(first.help == ["the parameters and optimizer state alone (4.9 KiB) do not fit: use fewer or smaller layers"])
        // The parameters fit, one example's buffers do not; and a batch of 1 cannot be lowered.
        let hugeExamples = MemoryFit(batchArenaBytes: 10_000, batchSize: 1, fixedBytes: 100, parameterBytes: 100)
        let second = try #require(hugeExamples.diagnostic(at: nil, dataBytes: 0, physical: 4000, available: nil))
        #expect(second.help == ["not even a batch of 1 fits: use smaller layers, or a machine with more memory"])
    }
}
