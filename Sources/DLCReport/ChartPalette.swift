import DLCRuntime
import Foundation

/// The colours of runs and trials, in order; the 11th run takes the first colour again.
///
/// Tableau's ten colours, with the yellow and grey darkened to read on a light page.
public enum ChartPalette {
    public static let colors = [
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
        "#b6992d", "#b07aa1", "#d37295", "#9c755f", "#79706e",
    ]

    /// The colour of the run at `index` (0-based), cycling through `colors`.
    public static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }

    /// The colour that marks failed trials.
    public static let failure = "#d62728"
}
