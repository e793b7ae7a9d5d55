import DLCRuntime
import Foundation
import Testing

extension OutputTests {
    /// The format of `metrics.csv`.
    @Suite struct MetricsLogTests {
        static let columns = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"]

        @Test func writesHeaderRowsAndEmptyCellsForMissingValues() {
            var log = MetricsLog(columns: Self.columns)
            log.append(["epoch": 1, "train_loss": 0.6931472, "train_accuracy": 0.5, "val_loss": 0.7, "val_accuracy": 0.25, "learning_rate": 0.001, "seconds": 1.5])
            log.append(["epoch": 2, "train_loss": 0.4012, "learning_rate": 1e-05, "seconds": 3])
            #expect(log.rowCount == 2)
            #expect(log.csv() == """
                epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds
                1,0.6931472,0.5,0.7,0.25,0.001,1.5
                2,0.4012,,,,1e-05,3.0

                """)
        }

        @Test func emptyLogIsTheHeaderRow() {
            #expect(MetricsLog(columns: ["epoch", "loss"]).csv() == "epoch,loss\n")
        }

        @Test(arguments: [
            (0.1, "0.1"),
            (Double(Float(0.1)), "0.1"),
            (1.0 / 3.0, "0.33333334"),
            (2.0, "2.0"),
            (-0.0, "-0.0"),
            (123_456_789.0, "1.2345679e+08"),
            (1e-7, "1e-07"),
            (Double.nan, "nan"),
            (Double.infinity, "inf"),
            (-Double.infinity, "-inf"),
        ])
        func formatsFloatsAsShortestFloat32Text(value: Double, text: String) {
            #expect(MetricsLog.formatted(value) == text)
        }

        @Test func formatsWholeNumbersOfIntegerColumnsAsIntegers() {
            #expect(MetricsLog.formatted(12, asInteger: true) == "12")
            #expect(MetricsLog.formatted(-0.0, asInteger: true) == "0")
            #expect(MetricsLog.formatted(2.5, asInteger: true) == "2.5")
            #expect(MetricsLog.formatted(.nan, asInteger: true) == "nan")
            #expect(MetricsLog.formatted(1e300, asInteger: true) == "inf")
        }

        @Test func integerColumnsCanBeChosen() {
            var log = MetricsLog(columns: ["step", "epoch", "loss"], integerColumns: ["step"])
            log.append(["step": 100, "epoch": 1, "loss": 1])
            #expect(log.csv() == "step,epoch,loss\n100,1.0,1.0\n")
        }

        @Test func ignoresUnknownKeysAndReadsValuesBack() {
            var log = MetricsLog(columns: ["epoch", "loss"])
            log.append(["epoch": 1, "loss": 0.5, "typo_loss": 9])
            #expect(log.csv() == "epoch,loss\n1,0.5\n")
            #expect(log.value(row: 0, column: "loss") == 0.5)
            #expect(log.value(row: 0, column: "typo_loss") == nil)
            #expect(log.value(row: 1, column: "loss") == nil)
        }

        @Test func quotesColumnNamesThatNeedIt() {
            #expect(MetricsLog(columns: ["a,b", "say \"hi\"", "plain"]).csv() == "\"a,b\",\"say \"\"hi\"\"\",plain\n")
        }

        @Test func identicalInputsGiveIdenticalBytes() {
            func build() -> String {
                var log = MetricsLog(columns: Self.columns)
                for epoch in 1...50 {
                    let loss = 1.0 / Double(epoch)
                    log.append(["epoch": Double(epoch), "train_loss": loss, "val_loss": loss * 1.1, "learning_rate": 0.01, "seconds": Double(epoch) * 0.37])
                }
                return log.csv()
            }
            #expect(build() == build())
        }

        @Test func writeReplacesTheFile() throws {
            let directory = OutputTestDirectory()
            let path = directory.file("metrics.csv")
            var log = MetricsLog(columns: ["epoch", "loss"])
            log.append(["epoch": 1, "loss": 2])
            try log.write(to: path)
            log.append(["epoch": 2, "loss": 1])
            try log.write(to: path)
            #expect(outputFileBytes(path) == Array("epoch,loss\n1,2.0\n2,1.0\n".utf8))
            #expect(directory.contents() == ["metrics.csv"])
        }
    }
}
