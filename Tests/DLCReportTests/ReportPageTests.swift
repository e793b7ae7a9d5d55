import DLCReport
import DLCRuntime
import Foundation
import Testing

extension ReportTests {
    /// Whole pages from run and sweep folders on disk, and the errors of bad folders.
    @Suite struct ReportPageTests {
        @Test func runsPageHasAChartPerQuantityALegendAndTheSummaryTable() throws {
            let directory = ReportTestDirectory()
            let first = directory.makeRun("iris1")
            let second = directory.makeRun("iris2", summary: ReportFixtures.summary(valAccuracy: 0.9, bestEpoch: 2))
            let contents = try ReportContents.load([first, second])
            #expect(contents.runs.map(\.name) == ["iris1", "iris2"])
            #expect(contents.sweeps.isEmpty)
            let html = ReportPage(contents: contents).html()
            #expect(html.hasPrefix("<!doctype html>"))
            #expect(occurrences(of: "<svg class=\"chart\"", in: html) == 3)
            for title in ["Loss", "Accuracy", "Learning rate"] {
                #expect(html.contains("<span class=\"chart-title\">\(title)</span>"))
            }
            #expect(html.range(of: ">Loss<")?.lowerBound ?? html.endIndex < html.range(of: ">Accuracy<")?.lowerBound ?? html.startIndex)
            #expect(occurrences(of: "</svg>iris1</span>", in: html) == 3)
            #expect(occurrences(of: "class=\"best-epoch\"", in: html) == 4)  // loss and accuracy, not learning rate
            #expect(html.contains("<table class=\"summary\">"))
            #expect(html.contains("<th class=\"num\">val accuracy</th>"))
            #expect(html.contains("<td class=\"num top\">0.9333</td>"))
            #expect(html.contains("stroke-dasharray=\"6 4\""))
            #expect(!html.contains("<script"))
            #expect(!html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        }

        @Test func namesAreEscapedEverywhere() throws {
            let directory = ReportTestDirectory()
            let run = directory.makeRun("<b>&run", summary: ReportFixtures.summary(name: "x\\\"<i>", status: "failed",
                                                                                 message: "diverged <now>"))
            let html = ReportPage(contents: try ReportContents.load([run])).html()
            #expect(!html.contains("<b>&run") && !html.contains("<i>") && !html.contains("<now>"))
            #expect(html.contains("&lt;b&gt;&amp;run"))
            #expect(html.contains("diverged &lt;now&gt;"))
        }

        @Test func sweepPageHasTheLeaderboardBestFirstAScatterPerHyperparameterAndTheCurves() throws {
            let directory = ReportTestDirectory()
            let sweep = directory.makeSweep("iris-sweep/sweep")
            let contents = try ReportContents.load([sweep])
            #expect(contents.sweeps.count == 1)
            #expect(contents.sweeps[0].name == "iris-sweep")
            #expect(contents.sweeps[0].trials.map(\.name) == ["trial-000", "trial-001", "trial-002"])
            let html = ReportPage(contents: contents).html()
            #expect(html.contains("<table class=\"leaderboard\">"))
            let best = html.range(of: "trial-001</td>"), second = html.range(of: "trial-000</td>"), failed = html.range(of: "trial-002</td>")
            #expect(best != nil && second != nil && failed != nil)
            if let best, let second, let failed {
                #expect(best.lowerBound < second.lowerBound && second.lowerBound < failed.lowerBound)
            }
            #expect(html.contains("<tr class=\"best\">"))
            #expect(html.contains("<th class=\"num sorted\">val accuracy \u{25BC}</th>"))
            #expect(html.contains("aria-label=\"val_accuracy by neurons\""))
            #expect(html.contains("aria-label=\"val_accuracy by learning_rate\""))
            #expect(html.contains("learning rate (log scale)"))
            #expect(occurrences(of: "<circle class=\"failed\"", in: html) == 2)
            #expect(html.contains("Training curves of the trials"))
            #expect(occurrences(of: "<svg class=\"chart\"", in: html) == 5)
        }

        @Test func sweepTrialWithoutFilesGetsANoteNotAnError() throws {
            let directory = ReportTestDirectory()
            let sweep = directory.makeSweep("s")
            try FileManager.default.removeItem(atPath: directory.file("s/trial-000/metrics.csv"))
            try FileManager.default.removeItem(atPath: directory.file("s/trial-002"))
            let html = ReportPage(contents: try ReportContents.load([sweep])).html()
            #expect(html.contains("`trial-000` has no metrics.csv"))
            #expect(html.contains("no folder `trial-002`"))
        }

        @Test func manyRunsShareOneLegendAndCycleThePalette() throws {
            let directory = ReportTestDirectory()
            let runs = (0..<22).map { directory.makeRun(String(format: "run-%02d", $0)) }
            let page = ReportPage(contents: try ReportContents.load(runs))
            #expect(page.runColors[0] == page.runColors[10] && page.runColors[1] == page.runColors[21])
            let html = page.html()
            #expect(html.contains("<div class=\"legend shared\">"))
            #expect(occurrences(of: "</svg>run-21</span>", in: html) == 1)
        }

        @Test func runsWithTheSameFolderNameAreToldApart() throws {
            let directory = ReportTestDirectory()
            let contents = try ReportContents.load([directory.makeRun("a/iris"), directory.makeRun("b/iris")])
            #expect(contents.runs.map(\.name) == ["a/iris", "b/iris"])
        }

        @Test func missingOrMalformedFilesAreErrorsNamingTheFile() {
            let directory = ReportTestDirectory()
            let nowhere = directory.file("nowhere")
            #expect(reportError { _ = try ReportContents.load([nowhere]) } == .notAFolder(path: nowhere))
            try? FileManager.default.createDirectory(atPath: directory.file("empty"), withIntermediateDirectories: true)
            #expect(reportError { _ = try ReportContents.load([directory.file("empty")]) } == .notARunFolder(path: directory.file("empty")))
            directory.write(ReportFixtures.classificationMetrics, to: "nosummary/metrics.csv")
            let missing = reportError { _ = try ReportContents.load([directory.file("nosummary")]) }
            #expect(missing?.path == directory.file("nosummary/summary.json"))
            directory.makeRun("bad", metrics: "epoch,train_loss\n1,0.5\n2\n")
            let bad = reportError { _ = try ReportContents.load([directory.file("bad")]) }
            #expect(bad?.description == directory.file("bad/metrics.csv") + ":3: expected 2 cells as in the header, found 1")
            directory.write("trial,status\n0,completed\n", to: "sweep/leaderboard.csv")
            let noSettings = reportError { _ = try ReportContents.load([directory.file("sweep")]) }
            #expect(noSettings?.path == directory.file("sweep/sweep.json"))
            directory.makeSweep("badtrial")
            directory.write("{", to: "badtrial/trial-001/summary.json")
            let badTrial = reportError { _ = try ReportContents.load([directory.file("badtrial")]) }
            #expect(badTrial?.path == directory.file("badtrial/trial-001/summary.json"))
        }

        @Test func pageIsWrittenAtomicallyToTheDefaultPlace() throws {
            let directory = ReportTestDirectory()
            let run = directory.makeRun("iris")
            let output = ReportContents.defaultOutput(for: [run])
            #expect(output == run + "/report.html")
            try ReportPage(contents: try ReportContents.load([run]), generated: "2025-01-01 12:00").write(to: output)
            let written = try String(contentsOfFile: output, encoding: .utf8)
            #expect(written.contains("on 2025-01-01 12:00"))
            #expect(written.hasSuffix("</html>\n"))
        }
    }
}
