import DLCRuntime
import Foundation

/// Training progress on stderr: a live bar on a terminal, one plain line per epoch otherwise.
final class ProgressPrinter {
    let epochs: Int
    let live: Bool
    private var lastDraw = Date.distantPast

    init(epochs: Int, live: Bool) {
        self.epochs = epochs
        self.live = live
    }

    func step(_ report: StepReport) {
        guard live, Date().timeIntervalSince(lastDraw) > 0.1 || report.step == report.steps else { return }
        lastDraw = Date()
        let width = 24
        let filled = report.steps > 0 ? width * report.step / report.steps : width
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let line = "epoch \(report.epoch)/\(epochs) [\(bar)] \(report.step)/\(report.steps) loss \(Self.format(Double(report.loss))) "
            + "\(Int(report.samplesPerSecond)) samples/s"
        Console.error("\r\u{1B}[2K" + line)
    }

    func epoch(_ report: EpochReport) {
        var parts = ["epoch \(report.epoch)/\(epochs)", "loss \(Self.format(report.train.loss))"]
        for (name, value) in report.train.metrics.sorted(by: { $0.key < $1.key }) { parts.append("\(name) \(Self.format(value))") }
        if let validation = report.validation {
            parts.append("val_loss \(Self.format(validation.loss))")
            for (name, value) in validation.metrics.sorted(by: { $0.key < $1.key }) { parts.append("val_\(name) \(Self.format(value))") }
        }
        parts.append(String(format: "%.2fs", report.seconds))
        parts.append("\(Int(report.samplesPerSecond)) samples/s")
        Console.error((live ? "\r\u{1B}[2K" : "") + parts.joined(separator: "  ") + "\n")
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 1e-3 || value == 0 ? String(format: "%.4f", value) : String(format: "%.3e", value)
    }
}
