import ArgumentParser
import DLCReport
import DLCRuntime
import Foundation

/// `dlc report RUN_DIR... [--out FILE]`: one self-contained HTML page of training curves, run
/// summaries and sweep leaderboards.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page of the curves and results of runs and sweeps.",
        discussion: """
            Each folder is a run folder written by `dlc run` (metrics.csv and summary.json) or a sweep \
            folder written by `dlc sweep` (one holding leaderboard.csv). Runs are overlaid in one chart \
            per quantity; each sweep gets its leaderboard, a scatter plot per hyperparameter and its \
            trials' curves. The page has no scripts and fetches nothing.
            """
    )

    @Argument(help: ArgumentHelp("Run or sweep folders to report on.", valueName: "run-dir"))
    var folders: [String]

    @Option(help: ArgumentHelp("The HTML file to write, or a folder to write report.html in (default: the first folder).",
                               valueName: "file"))
    var out: String?

    func validate() throws {
        guard !folders.isEmpty else { throw ValidationError("give at least one run or sweep folder") }
    }

    func run() throws {
        let contents: ReportContents
        do {
            contents = try ReportContents.load(folders)
        } catch {
            Console.error("error: \(error)\n")
            throw ExitCode(1)
        }
        var path = out ?? ReportContents.defaultOutput(for: folders)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            path = (path as NSString).appendingPathComponent("report.html")
        }
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .current,
                                                formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime])
        let page = ReportPage(contents: contents, generated: stamp)
        do {
            try page.write(to: path)
        } catch {
            Console.error("error: \(error)\n")
            throw ExitCode(1)
        }
        let shown = contents.sweeps.map { "sweep \($0.name) (\($0.leaderboard.entries.count) trials)" }
            + (contents.runs.isEmpty ? [] : ["\(contents.runs.count) run\(contents.runs.count == 1 ? "" : "s")"])
        Console.error("wrote \(path): \(shown.joined(separator: ", "))\n")
    }
}
