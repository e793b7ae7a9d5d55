import DLCReport
import DLCRuntime
import Foundation
import Testing

extension ReportTests {
    /// Nice tick values, the choice of a logarithmic axis and tick labels.
    @Suite struct AxisScaleTests {
        @Test(arguments: [
            (0.8, 1.0), (1.0, 1.0), (1.4, 1.0), (1.6, 2.0), (2.9, 2.0), (3.1, 5.0), (6.9, 5.0), (7.1, 10.0),
            (0.013, 0.01), (0.26, 0.2), (370.0, 500.0), (0.0, 1.0), (-3.0, 1.0),
        ])
        func niceStepsAreTheNearestOneTwoOrFiveTimesAPowerOfTen(rough: Double, step: Double) {
            #expect(AxisScale.niceStep(rough) == step)
        }

        @Test func linearTicksCoverTheDataWithNiceValues() {
            let scale = AxisScale.linear([0.47, 0.93, 1.0], tickCount: 6)
            #expect(scale.kind == .linear)
            #expect(scale.step == 0.1)
            #expect(scale.lower == 0.4 && scale.upper == 1.0)
            #expect(scale.ticks == [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
            #expect(scale.ticks.map(scale.label) == ["0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
        }

        @Test func lossTicksStartAtZero() {
            let scale = AxisScale.linear([0.0026, 1.2753], tickCount: 6)
            #expect(scale.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4])
            #expect(scale.fraction(0) == 0)
            #expect(scale.fraction(1.4) == 1)
        }

        @Test func epochAxisHasWholeTicks() {
            let scale = AxisScale.linear((1...300).map(Double.init), tickCount: 8, integer: true)
            #expect(scale.ticks == [0, 50, 100, 150, 200, 250, 300])
            let short = AxisScale.linear([1, 2, 3], tickCount: 8, integer: true)
            #expect(short.ticks.allSatisfy { $0 == $0.rounded() })
            #expect(short.ticks.map(short.label) == ["1", "2", "3"])
        }

        @Test func aSingleValueGetsARangeAroundIt() {
            let epoch = AxisScale.linear([1], tickCount: 8, integer: true)
            #expect(epoch.lower < 1 && epoch.upper > 1)
            #expect(epoch.ticks.contains(1))
            let value = AxisScale.linear([0.5], tickCount: 6)
            #expect(value.lower < 0.5 && value.upper > 0.5)
            let zero = AxisScale.linear([0, 0], tickCount: 6)
            #expect(zero.lower == -1 && zero.upper == 1)
            let extreme = AxisScale.linear([-1e308, 1e308])
            #expect(extreme.ticks == [-1e308, 1e308])
            let none = AxisScale.linear([.nan, .infinity])
            #expect(none.lower == 0 && none.upper == 1)
        }

        @Test(arguments: [
            ([0.001, 0.01, 0.1], true),
            ([0.003, 0.01, 0.03], false),
            ([0.001, 0.021], true),
            ([0.001, 0.02], false),
            ([0.0, 0.5, 10.0], false),
            ([-1.0, 100.0], false),
            ([8.0, 16.0, 32.0], false),
            ([1.0, 1000.0, .nan], true),
            ([Double](), false),
        ])
        func logarithmicWhenPositiveAndSpanningMoreThanTwentyFold(values: [Double], logarithmic: Bool) {
            #expect(AxisScale.prefersLogarithmic(values) == logarithmic)
            #expect((AxisScale.automatic(values).kind == .logarithmic) == logarithmic)
        }

        @Test func logarithmicTicksArePowersOfTenWithTwoAndFiveBetween() {
            let scale = AxisScale.logarithmic([0.001, 0.03])
            #expect(scale.lower == 0.001 && scale.upper == 0.05)
            #expect(scale.ticks == [0.001, 0.002, 0.005, 0.01, 0.02, 0.05])
            #expect(scale.ticks.map(scale.label) == ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05"])
            #expect(scale.fraction(0.001) == 0)
            #expect(abs((scale.fraction(0.01) ?? 0) - 1 / log10(50)) < 1e-12)
            let loss = AxisScale.logarithmic([0.000127, 1.27])
            #expect(loss.lower == 0.0001 && loss.upper == 2)
            #expect(loss.ticks == [0.0001, 0.001, 0.01, 0.1, 1])  // 2 would crowd 1
            let rates = AxisScale.logarithmic([0.0005, 0.05])
            #expect(rates.ticks == [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05])
            let bounded = AxisScale.logarithmic([0.0002, 50])
            #expect(bounded.ticks.first == 0.0002 && bounded.ticks.last == 50)
            #expect(scale.fraction(0) == nil)
            #expect(scale.fraction(-1) == nil)
            let wide = AxisScale.logarithmic([1e-8, 1e4])
            #expect(wide.ticks.count <= 7)
            #expect(wide.ticks.map(wide.label).first == "10\u{207B}\u{2078}")
            #expect(wide.ticks.map(wide.label).contains("1"))
            #expect(AxisScale.powerForm(2e10) == "2\u{00D7}10\u{00B9}\u{2070}")
            #expect(AxisScale.powerForm(1000) == "10\u{00B3}")
        }

        @Test(arguments: [
            (0.30000000000000004, 0.1, "0.3"),
            (15.0, 5.0, "15"),
            (0.05, 0.05, "0.05"),
            (2_500_000.0, 500_000.0, "2.5e6"),
            (0.00002, 0.00001, "2e-5"),
            (-0.4, 0.2, "-0.4"),
            (0.0, 0.2, "0"),
        ])
        func tickLabelsUseTheDecimalsTheStepNeeds(value: Double, step: Double, label: String) {
            #expect(AxisScale.format(value, step: step) == label)
        }
    }
}
