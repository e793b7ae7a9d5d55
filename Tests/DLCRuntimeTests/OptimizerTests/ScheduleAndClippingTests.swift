import DLCGraph
import DLCRuntime
import Foundation
import Testing

extension OptimizerTests {
    /// `LearningRateSchedule` against PyTorch's schedulers over 10 epochs.
    @Suite struct Schedules {
        @Test func matchPyTorch() throws {
            let reference = try OptimizerReference.load()
            #expect(reference.schedules.count == 6)
            for testCase in reference.schedules {
                let schedule = try #require(testCase.schedule.configuration, "\(testCase.name)")
                for (epoch, want) in testCase.rates.enumerated() {
                    let rate = LearningRateSchedule.rate(base: Float(testCase.base), schedule: schedule,
                                                         epoch: epoch, epochs: testCase.epochs)
                    #expect(OptimizerReference.isClose(rate, want), "\(testCase.name): epoch \(epoch): \(rate) vs \(want)")
                }
            }
        }

        @Test func constantWithoutSchedule() {
            for epoch in 0..<5 {
                #expect(LearningRateSchedule.rate(base: 0.125, schedule: nil, epoch: epoch, epochs: 5) == 0.125)
            }
        }

        @Test func cosineWithNothingToAnnealKeepsTheBase() {
            let schedule = ScheduleConfiguration(kind: .cosine(minimumLearningRate: 0), warmupEpochs: 3)
            #expect(LearningRateSchedule.rate(base: 0.1, schedule: schedule, epoch: 3, epochs: 3) == 0.1)
        }
    }

    /// `GradientClipping` against `torch.nn.utils.clip_grad_norm_`.
    @Suite struct Clipping {
        @Test func matchesPyTorch() throws {
            let reference = try OptimizerReference.load()
            #expect(reference.clipping.count == 2)
            for testCase in reference.clipping {
                let gradients = OptimizerReference.TensorList(testCase.gradients)
                let norm = GradientClipping.clip(gradients.pointers, counts: gradients.counts,
                                                 maxNorm: Float(testCase.maxNorm))
                #expect(OptimizerReference.isClose(norm, testCase.norm), "\(testCase.name): norm \(norm) vs \(testCase.norm)")
                for (i, tensor) in gradients.values.enumerated() {
                    for (j, value) in tensor.enumerated() {
                        let want = Double(testCase.clipped[i][j])
                        #expect(OptimizerReference.isClose(value, want), "\(testCase.name): tensor \(i)[\(j)]: \(value) vs \(want)")
                    }
                }
            }
        }

        @Test func leavesSmallGradientsBitForBit() {
            let gradients = OptimizerReference.TensorList([[0.1, -0.2], [0.3]])
            let norm = GradientClipping.clip(gradients.pointers, counts: gradients.counts, maxNorm: 1)
            #expect(OptimizerReference.isClose(norm, (0.01 + 0.04 + 0.09 as Double).squareRoot()))
            #expect(gradients.values == [[0.1, -0.2], [0.3]])
        }
    }
}
