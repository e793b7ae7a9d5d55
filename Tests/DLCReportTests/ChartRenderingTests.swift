import DLCReport
import DLCRuntime
import Foundation
import Testing

extension ReportTests {
    /// SVG paths, line charts, scatter plots and HTML escaping.
    @Suite struct ChartRenderingTests {
        @Test func pathSegmentsSplitAtGapsAndKeepLonePoints() {
            let points: [ChartPoint?] = [
                ChartPoint(x: 0, y: 0), ChartPoint(x: 10, y: 5.25), nil, ChartPoint(x: 20, y: .nan),
                ChartPoint(x: 30, y: 1), nil, ChartPoint(x: 40, y: 2), ChartPoint(x: 50.04, y: -3),
            ]
            let segments = SVGPath.segments(points)
            #expect(segments.map(\.count) == [2, 1, 2])
            let (data, dots) = SVGPath.lines(points)
            #expect(data == "M0,0L10,5.3M40,2L50,-3")
            #expect(dots == [ChartPoint(x: 30, y: 1)])
            #expect(SVGPath.lines([nil, nil]).data.isEmpty)
        }

        @Test(arguments: [(12.0, "12"), (12.25, "12.3"), (-0.04, "0"), (-3.5, "-3.5"), (640, "640")])
        func pathNumbersHaveAtMostOneDecimal(value: Double, text: String) {
            #expect(SVGPath.number(value) == text)
        }

        @Test func lineChartDrawsSolidTrainDashedValidationAndTheBestEpoch() {
            let train: [ChartPoint?] = [ChartPoint(x: 1, y: 1), ChartPoint(x: 2, y: 0.5), ChartPoint(x: 3, y: 0.25)]
            let validation: [ChartPoint?] = [ChartPoint(x: 1, y: 1.1), nil, ChartPoint(x: 3, y: .nan)]
            let chart = LineChart(title: "Loss", yTitle: "loss", series: [
                LineChart.Series(name: "a · train loss", color: "#111111", points: train),
                LineChart.Series(name: "a · val loss", color: "#111111", dashed: true, points: validation),
            ], markers: [LineChart.Marker(point: ChartPoint(x: 2, y: 0.5), color: "#111111", tooltip: "best epoch 2")])
            let svg = chart.svg()
            #expect(svg.hasPrefix("<svg class=\"chart\" viewBox=\"0 0 640 300\""))
            #expect(svg.hasSuffix("</svg>"))
            #expect(occurrences(of: "class=\"series\"", in: svg) == 1)
            #expect(occurrences(of: "class=\"dot\"", in: svg) == 1)
            #expect(svg.contains("fill=\"#fff\" stroke=\"#111111\""))
            #expect(occurrences(of: "class=\"best-epoch\"", in: svg) == 1)
            #expect(svg.contains("<title>best epoch 2</title>"))
            #expect(svg.contains(">epoch</text>"))
            #expect(!svg.contains("nan") && !svg.contains("inf"))
            #expect(chart.yScale.kind == .linear)
        }

        @Test func aSingleEpochIsADot() {
            let chart = LineChart(title: "Loss", yTitle: "loss", series: [
                LineChart.Series(name: "one", color: "#222222", points: [ChartPoint(x: 1, y: 0.7)]),
            ])
            let svg = chart.svg()
            #expect(occurrences(of: "class=\"dot\"", in: svg) == 1)
            #expect(!svg.contains("class=\"series\""))
            #expect(chart.xScale.ticks.contains(1))
        }

        @Test func chartWithoutFiniteValuesSaysSo() {
            let chart = LineChart(title: "Loss", yTitle: "loss", series: [
                LineChart.Series(name: "x", color: "#222222", points: [ChartPoint(x: 1, y: .nan), nil]),
            ])
            #expect(chart.isEmpty)
            #expect(chart.svg().contains("no finite values"))
        }

        @Test func learningRateOverManyDecadesIsLogarithmic() {
            let points: [ChartPoint?] = (1...50).map { ChartPoint(x: Double($0), y: 0.1 * pow(0.8, Double($0))) }
            let chart = LineChart(title: "Learning rate", yTitle: "learning rate",
                                  series: [LineChart.Series(name: "lr", color: "#333333", points: points)], logarithmicRatio: 20)
            #expect(chart.yScale.kind == .logarithmic)
            #expect(chart.svg().contains("learning rate (log scale)"))
        }

        @Test func scatterPlotUsesALogAxisAndPutsFailedTrialsInTheBottomLane() {
            let plot = ScatterPlot(hyperparameter: "learning_rate", metric: "val_accuracy", points: [
                ScatterPlot.Point(x: "0.001", y: 0.9, color: "#4e79a7", tooltip: "trial-000"),
                ScatterPlot.Point(x: "0.01", y: 0.97, color: "#f28e2b", emphasized: true, tooltip: "trial-001"),
                ScatterPlot.Point(x: "0.5", y: nil, color: "#59a14f", tooltip: "trial-002 <failed>"),
            ])
            #expect(plot.xScale?.kind == .logarithmic)
            #expect(plot.frame.failureLane > 0)
            let svg = plot.svg()
            #expect(occurrences(of: "class=\"trial\"", in: svg) == 1)
            #expect(occurrences(of: "class=\"trial best\"", in: svg) == 1)
            #expect(occurrences(of: "class=\"failed\"", in: svg) == 1)
            #expect(svg.contains("fill=\"none\" stroke=\"\(ChartPalette.failure)\""))
            #expect(svg.contains("<title>trial-002 &lt;failed&gt;</title>"))
            #expect(svg.contains("learning rate (log scale)"))
            #expect(svg.contains(">failed</text>"))
        }

        @Test func scatterPlotOfNamesHasOneColumnEach() {
            let plot = ScatterPlot(hyperparameter: "activation", metric: "val_loss", points: [
                ScatterPlot.Point(x: "relu", y: 0.2, color: "#000000", tooltip: "a"),
                ScatterPlot.Point(x: "tanh", y: 0.3, color: "#000000", tooltip: "b"),
                ScatterPlot.Point(x: "relu", y: 0.25, color: "#000000", tooltip: "c"),
            ])
            #expect(plot.xScale == nil)
            #expect(plot.categories == ["relu", "tanh"])
            #expect(plot.frame.failureLane == 0)
            let svg = plot.svg()
            #expect(svg.contains(">relu</text>") && svg.contains(">tanh</text>"))
        }

        @Test func markersAtTheSamePlaceAreSpreadApart() {
            let plot = ScatterPlot(hyperparameter: "neurons", metric: "val_accuracy", points: [
                ScatterPlot.Point(x: "8", y: 0.9, color: "#000000", tooltip: "a"),
                ScatterPlot.Point(x: "8", y: 0.9, color: "#000000", tooltip: "b"),
                ScatterPlot.Point(x: "16", y: 0.95, color: "#000000", tooltip: "c"),
            ])
            let svg = plot.svg()
            let centres = svg.components(separatedBy: "cx=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
            #expect(Set(centres).count == 3)
        }

        @Test func htmlEscapingCoversMarkupQuotesAndControlCharacters() {
            #expect(HTMLText.escape("<b>\"a\" & 'b'</b>\u{07}") == "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;")
            #expect(HTMLText.escape("naïve → ok") == "naïve → ok")
        }

        @Test(arguments: [
            (0.93333334, "0.9333"), (12.3456, "12.35"), (0.0026166, "0.002617"), (1234.6, "1235"),
            (0.00001234, "1.23e-5"), (2.0, "2"), (0.0, "0"), (Double.nan, "NaN"), (-Double.infinity, "-inf"),
        ])
        func tableNumbersHaveFourSignificantDigits(value: Double, text: String) {
            #expect(HTMLText.number(value) == text)
        }

        @Test func paletteCyclesAfterTenColours() {
            #expect(ChartPalette.color(0) == ChartPalette.color(10))
            #expect(ChartPalette.color(23) == ChartPalette.color(3))
            #expect(Set((0..<10).map(ChartPalette.color)).count == 10)
        }
    }
}
