import DLCReport
import DLCRuntime
import Foundation
import Testing

extension ReportTests {
    /// Reading `metrics.csv`, `summary.json`, `leaderboard.csv` and `sweep.json`, well formed or not.
    @Suite struct ParsingTests {
        @Test func readsMetricsColumnsEpochsAndQuantitiesInChartOrder() throws {
            let table = try MetricsTable(parsing: ReportFixtures.classificationMetrics, path: "m.csv")
            #expect(table.columns == ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate"])
            #expect(table.epochs == [1, 2, 3])
            #expect(table.values(of: "val_accuracy")?.count == 3)
            #expect(table.values(of: "missing") == nil)
            #expect(table.quantities.map(\.name) == ["loss", "accuracy", "learning_rate"])
            #expect(table.quantities[0].columns.map(\.name) == ["train_loss", "val_loss"])
            #expect(table.quantities[0].columns.map(\.role) == [.train, .validation])
            #expect(table.value(of: "val_loss", atEpoch: 2) == 0.27641636)
        }

        @Test func regressionMetricsWithoutValidationKeepTheirOrder() throws {
            let text = "learning_rate,epoch,train_loss,train_mae,train_rmse\n0.01,1,0.3,0.4,0.5\n"
            let table = try MetricsTable(parsing: text, path: "m.csv")
            #expect(table.quantities.map(\.name) == ["loss", "mae", "rmse", "learning_rate"])
            #expect(table.quantities[1].columns.map(\.role) == [.train])
        }

        @Test func emptyNaNAndInfinityCellsBecomeGaps() throws {
            let text = "epoch,train_loss,val_loss\n1,0.5,\n2,nan,0.4\n3,inf,-inf\n4,0.2,0.1\r\n"
            let table = try MetricsTable(parsing: text, path: "m.csv")
            #expect(table.series(of: "train_loss") == [ChartPoint(x: 1, y: 0.5), nil, nil, ChartPoint(x: 4, y: 0.2)])
            #expect(table.series(of: "val_loss") == [nil, ChartPoint(x: 2, y: 0.4), nil, ChartPoint(x: 4, y: 0.1)])
            #expect(table.value(of: "train_loss", atEpoch: 2) == nil)
        }

        @Test func metricsWithoutEpochColumnCountRows() throws {
            let table = try MetricsTable(parsing: "train_loss\n0.5\n0.25\n", path: "m.csv")
            #expect(table.epochs == [1, 2])
        }

        @Test(arguments: [
            ("", "m.csv: the file is empty; expected a header row"),
            ("epoch\n1\n", "m.csv:1: no metric columns; expected a header like `epoch,train_loss,...`"),
            ("epoch,train_loss\n1,0.5,7\n", "m.csv:2: expected 2 cells as in the header, found 3"),
            ("epoch,train_loss\n1,0.5\n2,abc\n", "m.csv:3: `abc` in column `train_loss` is not a number"),
            ("epoch,train_loss\n,0.5\n", "m.csv:2: the `epoch` cell is empty or not a finite number"),
            ("epoch,loss,loss\n1,2,3\n", "m.csv:1: the header names column `loss` twice"),
            ("epoch,\"train_loss\n1,2\n", "m.csv:1: a quoted cell is never closed"),
            ("epoch,,x\n", "m.csv:1: column 2 of the header has no name"),
        ])
        func malformedMetricsNameTheFileAndLine(text: String, message: String) {
            let error = reportError { _ = try MetricsTable(parsing: text, path: "m.csv") }
            #expect(error?.description == message)
        }

        @Test func csvReadsQuotedCellsAndSkipsBlankLines() throws {
            let table = try CSVTable(parsing: "a,\"b, c\"\n\n\"x \"\"y\"\"\",2\n", path: "t.csv")
            #expect(table.columns == ["a", "b, c"])
            #expect(table.rows.map(\.cells) == [["x \"y\"", "2"]])
            #expect(table.rows.map(\.line) == [3])
        }

        @Test func missingAndUnreadableFilesAreNamed() {
            let directory = ReportTestDirectory()
            let missing = reportError { _ = try MetricsTable(contentsOf: directory.file("metrics.csv")) }
            #expect(missing == .missingFile(path: directory.file("metrics.csv"), purpose: "the per-epoch metrics `dlc run` writes"))
            try? Data([0x65, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: directory.file("bad.csv")))
            let binary = reportError { _ = try MetricsTable(contentsOf: directory.file("bad.csv")) }
            #expect(binary == .unreadable(path: directory.file("bad.csv"), reason: "it is not UTF-8 text"))
        }

        @Test func readsSummaryWithNullsAsNaN() throws {
            let text = """
                {"best_epoch": null, "epochs_completed": 0, "message": "training diverged", "metrics": {"val_loss": null},
                 "name": "x", "parameters": 3, "samples_per_second": null, "seconds": 0, "status": "failed"}
                """
            let summary = try RunFolder.parseSummary(text, path: "s.json")
            #expect(summary.status == .failed)
            #expect(summary.bestEpoch == nil)
            #expect(summary.metrics["val_loss"]?.isNaN == true)
            #expect(summary.message == "training diverged")
        }

        @Test(arguments: [
            ("{", "s.json: not valid JSON"),
            ("{\n  \"name\": \"x\"\n  \"status\": 1}", "s.json:3: not valid JSON"),
            (" \n", "s.json: the file is empty; expected a JSON object"),
            ("{\"name\": \"x\"}", "s.json: missing key `status`"),
            ("[1, 2]", "s.json: expected a JSON object"),
            ("{\"name\": \"x\", \"status\": \"done\"}", "s.json: unexpected value for `status`"),
            ("{\"name\": 3}", "s.json: unexpected value for `name`"),
        ])
        func malformedSummaryNamesTheFile(text: String, prefix: String) {
            let error = reportError { _ = try RunFolder.parseSummary(text, path: "s.json") }
            #expect(error?.path == "s.json")
            #expect(error?.description.hasPrefix(prefix) == true, "\(String(describing: error))")
        }

        @Test func leaderboardSortsByTrialAndRanksByTheMetric() throws {
            let board = try LeaderboardTable(parsing: ReportFixtures.leaderboard, path: "l.csv", hyperparameters: ["neurons", "learning_rate"])
            #expect(board.entries.map(\.trial) == ["0", "1", "2"])
            #expect(board.entries.map(\.folderName) == ["trial-000", "trial-001", "trial-002"])
            #expect(board.metricColumns == ["test_accuracy", "train_loss", "val_accuracy", "val_loss"])
            #expect(board.ranked(metric: "val_accuracy", maximize: true).map(\.trial) == ["1", "0", "2"])
            #expect(board.ranked(metric: "val_accuracy", maximize: false).map(\.trial) == ["0", "1", "2"])
            #expect(board.best(metric: "val_accuracy", maximize: true)?.trial == "1")
            #expect(board.isFailed(board.entries[2], metric: "val_accuracy"))
            #expect(board.entries[1].number("learning_rate") == 0.01)
        }

        @Test func leaderboardWithoutAHyperparameterColumnIsMalformed() {
            let error = reportError {
                _ = try LeaderboardTable(parsing: ReportFixtures.leaderboard, path: "l.csv", hyperparameters: ["dropout"])
            }
            #expect(error == .malformed(path: "l.csv", line: 1,
                                        reason: "the header has no column for the hyperparameter `dropout` named in sweep.json"))
        }

        @Test func leaderboardWhereEveryTrialFailedHasNoBest() throws {
            let text = "trial,status,neurons,epochs,seconds\n0,failed,8,0,0.1\n1,failed,16,0,0.1\n"
            let board = try LeaderboardTable(parsing: text, path: "l.csv", hyperparameters: ["neurons"])
            #expect(board.best(metric: "val_accuracy", maximize: true) == nil)
            #expect(board.ranked(metric: "val_accuracy", maximize: true).count == 2)
        }

        @Test func sweepSettingsCheckTheGoal() throws {
            let settings = try SweepFolder.Settings.parse(ReportFixtures.sweepJSON, path: "sweep.json")
            #expect(settings.maximize && settings.metric == "val_accuracy" && settings.hyperparameters == ["neurons", "learning_rate"])
            let error = reportError {
                _ = try SweepFolder.Settings.parse("{\"metric\": \"val_loss\", \"goal\": \"up\", \"hyperparameters\": []}", path: "sweep.json")
            }
            #expect(error?.description == "sweep.json: `goal` is `up`; expected `maximize` or `minimize`")
        }
    }
}
