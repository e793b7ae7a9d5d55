import DLCCheck
import DLCSpec
import Testing

/// Sweep expansion is deterministic, and every point is checked before anything trains.
struct SweepPlanTests {
    static func sweep(_ section: String) throws -> SweepSpec {
        let text = """
            name: s
            hyperparameters: {layers: 1, neurons: 4, rate: 0.01}
            model:
              input: [2]
              layers:
                - repeat: $layers
                  layers: [dense: {units: $neurons, activation: relu}]
                - dense: {units: 1}
            loss: mse
            optimizer: {adam: {learning_rate: $rate}}
            sweep:
            \(section)
            """
        let loaded = SpecLoader.load(text: text)
        #expect(!loaded.diagnostics.containsErrors, "\(loaded.diagnostics.map(\.message))")
        return try #require(loaded.spec?.sweep)
    }

    @Test func gridTriesEveryCombinationLastFastest() throws {
        let sweep = try Self.sweep("  values: {layers: [1, 2], neurons: [4, 8, 16]}")
        let trials = SweepPlan.trials(sweep, seed: 3)
        #expect(trials.count == 6)
        #expect(trials.map { $0.values.map(\.text) } == [["1", "4"], ["1", "8"], ["1", "16"], ["2", "4"], ["2", "8"], ["2", "16"]])
        #expect(trials.map(\.index) == Array(0..<6))
        #expect(SweepPlan.trials(sweep, seed: 3) == trials)
        #expect(Set(trials.map(\.seed)).count == 6)
    }

    @Test func randomSamplingIsDeterministicAndInRange() throws {
        let sweep = try Self.sweep("""
              strategy: random
              trials: 40
              values: {rate: {min: 0.0001, max: 0.1, log: true}, neurons: {min: 2, max: 64, integer: true}, layers: [1, 2, 3]}
            """)
        let trials = SweepPlan.trials(sweep, seed: 7)
        #expect(trials.count == 40)
        #expect(SweepPlan.trials(sweep, seed: 7) == trials)
        #expect(SweepPlan.trials(sweep, seed: 8) != trials)
        for trial in trials {
            let rate = try #require(Double(trial.values[0].text))
            let neurons = try #require(Int(trial.values[1].text))
            #expect(rate >= 0.0001 && rate <= 0.1)
            #expect(neurons >= 2 && neurons <= 64)
            #expect(["1", "2", "3"].contains(trial.values[2].text))
        }
        // Log sampling spreads over the decades: some rates below 0.001.
        #expect(trials.contains { Double($0.values[0].text)! < 0.001 })
        // A trial's values do not depend on how many trials there are.
        let fewer = try Self.sweep("""
              strategy: random
              trials: 5
              values: {rate: {min: 0.0001, max: 0.1, log: true}, neurons: {min: 2, max: 64, integer: true}, layers: [1, 2, 3]}
            """)
        #expect(Array(trials.prefix(5)) == SweepPlan.trials(fewer, seed: 7))
    }

    @Test func checkPointsAreEveryGridPointOrTheRangesCorners() throws {
        #expect(SweepPlan.checkPoints(try Self.sweep("  values: {layers: [1, 2], neurons: [4, 8, 16]}")).count == 6)
        let corners = SweepPlan.checkPoints(try Self.sweep("""
              strategy: random
              trials: 100
              values: {rate: {min: 0.001, max: 0.1}, neurons: {min: 2, max: 64, integer: true}}
            """))
        #expect(corners.map { $0.map(\.text) } == [["0.001", "2"], ["0.001", "64"], ["0.1", "2"], ["0.1", "64"]])
    }
}
