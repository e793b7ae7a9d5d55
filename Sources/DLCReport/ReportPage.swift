import DLCRuntime
import Foundation

/// The whole report as one self-contained HTML page: inline CSS and SVG, no scripts, no fonts or
/// other files fetched, so it opens the same from a disk, a CI artifact or an e-mail.
///
/// The page holds, in order: a header naming what it shows; one section per sweep
/// (`SweepSection`); then the runs, a summary table and their curves overlaid (`CurveCharts`).
public struct ReportPage: Sendable, Hashable {
    public var contents: ReportContents
    /// When the page was made, shown in the footer; nil leaves it out (tests compare pages).
    public var generated: String?

    public init(contents: ReportContents, generated: String? = nil) {
        self.contents = contents
        self.generated = generated
    }

    /// The run colours, by run order.
    public var runColors: [String] {
        contents.runs.indices.map(ChartPalette.color)
    }

    /// The page's HTML, starting `<!doctype html>` and ending in a newline.
    public func html() -> String {
        var html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta name=\"generator\" content=\"dlc report\">\n"
        html += "<title>\(HTMLText.escape(contents.title))</title>\n<style>\n\(ReportStyle.css)</style>\n</head>\n<body>\n"
        html += header() + "\n<main>\n"
        for sweep in contents.sweeps {
            html += SweepSection(sweep: sweep).html() + "\n"
        }
        if !contents.runs.isEmpty {
            html += runsSection() + "\n"
        }
        html += "</main>\n<footer>Made by <code>dlc report</code>"
        if let generated { html += " on \(HTMLText.escape(generated))" }
        html += ". Hover a line or marker for its values.</footer>\n</body>\n</html>\n"
        return html
    }

    /// The title and what the page covers.
    private func header() -> String {
        let runs = contents.runs.count, sweeps = contents.sweeps.count
        var parts: [String] = []
        if sweeps > 0 { parts.append(sweeps == 1 ? "1 sweep" : "\(sweeps) sweeps") }
        if runs > 0 { parts.append(runs == 1 ? "1 run" : "\(runs) runs") }
        let heading = contents.sweeps.count == 1 && runs == 0
            ? "\(contents.sweeps[0].name) sweep"
            : (runs == 1 && sweeps == 0 ? contents.runs[0].name : "Training report")
        return "<header><div class=\"brand\">dlc report</div><h1>\(HTMLText.escape(heading))</h1>"
            + "<p class=\"muted\">\(HTMLText.escape(parts.joined(separator: ", ")))</p></header>"
    }

    /// The runs: a summary table, failure messages, then the overlaid curves.
    private func runsSection() -> String {
        let runs = contents.runs, colors = runColors
        var html = "<section class=\"runs\"><h2>\(runs.count == 1 ? "Run" : "Runs")</h2>"
        html += ReportTables.runSummary(runs, colors: colors)
        let messages = runs.compactMap { run in run.summary?.message.map { (run.name, $0) } }
        if !messages.isEmpty {
            html += "<ul class=\"notes\">" + messages.map { name, message in
                "<li><strong>\(HTMLText.escape(name))</strong>: \(HTMLText.escape(message))</li>"
            }.joined() + "</ul>"
        }
        html += ConfusionTables.html(runs)
        let entries = zip(runs, colors).map { CurveCharts.Entry(run: $0, color: $1) }
        let curves = CurveCharts(entries: entries).html()
        if !curves.isEmpty {
            html += "<h3>Training curves</h3>" + curves
        }
        return html + "</section>"
    }

    /// Writes the page to `path` atomically (the folder must exist).
    public func write(to path: String) throws(AtomicFileError) {
        try AtomicFile.write(html(), to: path)
    }
}
