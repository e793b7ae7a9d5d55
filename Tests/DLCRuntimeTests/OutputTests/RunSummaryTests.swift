import DLCRuntime
import Foundation
import Testing

extension OutputTests {
    /// The format of `summary.json`.
    @Suite struct RunSummaryTests {
        static let summary = RunSummary(
            name: "iris", status: .completed, epochsCompleted: 10, bestEpoch: 7, seconds: 12.5,
            samplesPerSecond: 1234.25, parameters: 131,
            metrics: ["train_loss": 0.25, "val_loss": Double(Float(0.1)), "val_accuracy": 0.9666666666666667, "test_accuracy": 1],
            message: nil)

        @Test func printsSortedPrettyJSONWithEveryKey() {
            #expect(Self.summary.json() == """
                {
                  "best_epoch" : 7,
                  "confusion_matrix" : null,
                  "epochs_completed" : 10,
                  "message" : null,
                  "metrics" : {
                    "test_accuracy" : 1,
                    "train_loss" : 0.25,
                    "val_accuracy" : 0.96666664,
                    "val_loss" : 0.1
                  },
                  "name" : "iris",
                  "parameters" : 131,
                  "samples_per_second" : 1234.25,
                  "seconds" : 12.5,
                  "status" : "completed"
                }

                """)
        }

        @Test func parsesAsJSONWithNumericMetrics() throws {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(Self.summary.json().utf8)) as? [String: Any])
            let metrics = try #require(object["metrics"] as? [String: Any])
            #expect((metrics["train_loss"] as? NSNumber)?.doubleValue == 0.25)
            #expect((metrics["val_loss"] as? NSNumber)?.doubleValue == 0.1)
            #expect((object["epochs_completed"] as? NSNumber)?.intValue == 10)
            #expect(object["status"] as? String == "completed")
            #expect(object["message"] is NSNull)
        }

        @Test func nonFiniteValuesAreNullAndReadBackAsNaN() throws {
            var summary = Self.summary
            summary.status = .failed
            summary.bestEpoch = nil
            summary.metrics = ["train_loss": .nan, "val_loss": .infinity]
            summary.seconds = .nan
            summary.message = "loss became NaN in epoch 3"
            let json = summary.json()
            #expect(json.contains("\"train_loss\" : null"))
            #expect(json.contains("\"val_loss\" : null"))
            #expect(json.contains("\"best_epoch\" : null"))
            #expect(json.contains("\"seconds\" : null"))
            #expect(json.contains("\"status\" : \"failed\""))
            let decoded = try JSONDecoder().decode(RunSummary.self, from: Data(json.utf8))
            #expect(decoded.metrics["train_loss"]?.isNaN == true)
            #expect(decoded.metrics["val_loss"]?.isNaN == true)
            #expect(decoded.seconds.isNaN)
            #expect(decoded.bestEpoch == nil)
            #expect(decoded.message == "loss became NaN in epoch 3")
        }

        @Test func decodesWhatItEncodes() throws {
            var summary = Self.summary
            summary.metrics = ["test_loss": 0.5, "test_accuracy": 0.75]
            summary.status = .stoppedEarly
            summary.message = "stopped: `val_loss` did not improve for 5 epochs"
            let decoded = try JSONDecoder().decode(RunSummary.self, from: Data(summary.json().utf8))
            #expect(decoded == summary)
        }

        @Test(arguments: RunStatus.allCases)
        func statusesUseSnakeCase(status: RunStatus) {
            var summary = Self.summary
            summary.status = status
            let expected = ["completed", "stopped_early", "interrupted", "failed"]
            #expect(expected.contains(status.rawValue))
            #expect(summary.json().contains("\"status\" : \"\(status.rawValue)\""))
        }

        @Test func identicalSummariesGiveIdenticalText() throws {
            #expect(Self.summary.json() == Self.summary.json())
            let directory = OutputTestDirectory()
            try Self.summary.write(to: directory.file("summary.json"))
            #expect(outputFileBytes(directory.file("summary.json")) == Array(Self.summary.json().utf8))
        }
    }
}
