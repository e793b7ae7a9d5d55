import DLCGraph
import DLCRuntime
import Foundation
import Testing

/// Every optimizer case of `Reference/optimizers.json`: 5 steps on two tensors, checked after every step.
@Suite struct OptimizerTests {
    static let caseNames = [
        "sgd plain", "sgd momentum", "sgd nesterov weight decay",
        "adam default", "adam weight decay", "adamw", "adam small betas",
        "rmsprop default", "rmsprop centered momentum weight decay", "rmsprop momentum",
    ]

    @Test func referenceHoldsEveryCase() throws {
        let reference = try OptimizerReference.load()
        #expect(reference.optimizers.map(\.name) == Self.caseNames)
    }

    @Test(arguments: caseNames)
    func matchesPyTorch(caseName: String) throws {
        let reference = try OptimizerReference.load()
        let testCase = try #require(reference.optimizers.first { $0.name == caseName })
        let configuration = try #require(testCase.configuration.optimizer)
        let parameters = OptimizerReference.TensorList(testCase.initial)
        let gradients = OptimizerReference.TensorList(testCase.initial)
        let optimizer = Optimizer(configuration, parameterCounts: parameters.counts)

        for (k, expected) in testCase.steps.enumerated() {
            gradients.assign(testCase.gradients[k])
            optimizer.step(parameters: parameters.pointers, gradients: gradients.pointers,
                           learningRate: Float(testCase.learningRates[k]))
            #expect(optimizer.stepCount == k + 1)
            #expect(gradients.values == testCase.gradients[k], "gradients must be left as they were")
            for (i, tensor) in parameters.values.enumerated() {
                for (j, value) in tensor.enumerated() {
                    let want = Double(expected[i][j])
                    #expect(OptimizerReference.isClose(value, want), "\(caseName): step \(k + 1), tensor \(i)[\(j)]: \(value) vs \(want)")
                }
            }
        }

        for i in parameters.counts.indices {
            let state = optimizer.stateTensors(parameter: i)
            let want = testCase.state[i]
            #expect(Set(state.map(\.name)) == Set(want.keys), "\(caseName): state names of tensor \(i)")
            for (name, values) in state {
                guard let expected = want[name] else { continue }
                #expect(values.count == expected.count)
                for (j, value) in values.enumerated() where j < expected.count {
                    #expect(OptimizerReference.isClose(value, Double(expected[j])),
                            "\(caseName): state \(name) of tensor \(i)[\(j)]: \(value) vs \(expected[j])")
                }
            }
        }
    }

    @Test func stateNamesFollowTheConfiguration() {
        var sgd = OptimizerConfiguration(kind: .sgd, learningRate: 0.1)
        #expect(Optimizer.stateNames(for: sgd).isEmpty)
        sgd.momentum = 0.9
        #expect(Optimizer.stateNames(for: sgd) == ["momentum"])
        #expect(Optimizer.stateNames(for: OptimizerConfiguration(kind: .adamw, learningRate: 0.1)) == ["exp_avg", "exp_avg_sq"])
        var rmsprop = OptimizerConfiguration(kind: .rmsprop, learningRate: 0.1)
        #expect(Optimizer.stateNames(for: rmsprop) == ["square_avg"])
        rmsprop.momentum = 0.5
        rmsprop.centered = true
        #expect(Optimizer.stateNames(for: rmsprop) == ["square_avg", "momentum", "grad_avg"])
    }

    @Test func stateStartsAtZeroAndIsSeparatePerParameter() {
        let optimizer = Optimizer(OptimizerConfiguration(kind: .adam, learningRate: 0.01), parameterCounts: [3, 0, 2])
        #expect(optimizer.stepCount == 0)
        #expect(optimizer.stateTensors(parameter: 1).map(\.values.count) == [0, 0])
        let first = optimizer.stateTensors(parameter: 0)
        let last = optimizer.stateTensors(parameter: 2)
        #expect(first.map(\.values.count) == [3, 3])
        #expect(first.allSatisfy { $0.values.allSatisfy { $0 == 0 } })
        first[1].values[2] = 7
        #expect(last.allSatisfy { $0.values.allSatisfy { $0 == 0 } })
        #expect(optimizer.stateTensors(parameter: 0)[1].values[2] == 7)
    }

    @Test func emptyParameterListSteps() {
        let optimizer = Optimizer(OptimizerConfiguration(kind: .rmsprop, learningRate: 0.01), parameterCounts: [])
        optimizer.step(parameters: [], gradients: [], learningRate: 0.01)
        #expect(optimizer.stepCount == 1)
    }
}
