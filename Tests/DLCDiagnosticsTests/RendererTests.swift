import DLCDiagnostics
import Foundation
import Testing

struct RendererTests {
    let file = SourceFile(path: "specs/iris.yaml", text: """
        name: iris
        model:
          layers:
            - dense: {units: $neurons, activaton: relu}
        """)

    var diagnostic: Diagnostic {
        let range = SourceRange(start: SourceLocation(line: 4, column: 32), end: SourceLocation(line: 4, column: 41))
        return .error("unknown-key", "unknown option `activaton` for `dense`", at: range, help: ["did you mean `activation`?"])
    }

    @Test func textMatchesTheContract() {
        let expected = """
            specs/iris.yaml:4:32: error: unknown option `activaton` for `dense`
              |
            4 |     - dense: {units: $neurons, activaton: relu}
              |                                ^^^^^^^^^
              = help: did you mean `activation`?

            """
        #expect(DiagnosticRenderer.text(diagnostic, in: file) == expected)
    }

    @Test func fileLevelDiagnosticsHaveNoSnippet() {
        let text = DiagnosticRenderer.text(.error("unreadable-file", "no such file", at: nil), in: file)
        #expect(text == "specs/iris.yaml: error: no such file\n")
    }

    @Test func notesAndHelpFollowTheSnippet() {
        let note = diagnostic.noting("first set here", at: SourceRange(at: SourceLocation(line: 1, column: 1)))
        let text = DiagnosticRenderer.text(note, in: file)
        #expect(text.contains("  = note: first set here (at specs/iris.yaml:1:1)\n  = help: did you mean"))
    }

    @Test func jsonParsesWithEveryField() throws {
        let json = DiagnosticRenderer.json([(file.path, diagnostic), (file.path, .warning("w", "a \"quoted\"\nline", at: nil))])
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect(array[0]["file"] as? String == "specs/iris.yaml")
        #expect(array[0]["line"] as? Int == 4)
        #expect(array[0]["column"] as? Int == 32)
        #expect(array[0]["severity"] as? String == "error")
        #expect(array[0]["code"] as? String == "unknown-key")
        #expect(array[0]["message"] as? String == "unknown option `activaton` for `dense`")
        #expect(array[1]["line"] is NSNull)
        #expect(array[1]["message"] as? String == "a \"quoted\"\nline")
    }

    @Test func githubAnnotationsEscapeTheirFields() {
        let line = DiagnosticRenderer.github(diagnostic.noting("50% done\r"), path: "a,b:c.yaml")
        #expect(line.hasPrefix("::error file=a%2Cb%3Ac.yaml,line=4,col=32,endColumn=41,title=dlc unknown-key::"))
        #expect(line.contains("%0Anote: 50%25 done%0D%0Ahelp: did you mean `activation`?"))
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false)
    }

    @Test func longLinesAreCutAroundTheSpan() {
        let long = String(repeating: "x", count: 500) + "BAD" + String(repeating: "y", count: 500)
        let file = SourceFile(path: "f.yaml", text: long)
        let range = SourceRange(start: SourceLocation(line: 1, column: 501), end: SourceLocation(line: 1, column: 504))
        let text = DiagnosticRenderer.text(.error("c", "m", at: range), in: file)
        let lines = text.split(separator: "\n")
        #expect(lines[2].count < 140)
        #expect(lines[2].hasPrefix("1 | ...x") && lines[2].contains("xBADy") && lines[2].hasSuffix("y..."))
        let caretLine = lines[3]
        let snippetLine = lines[2]
        let caretOffset = caretLine.distance(from: caretLine.startIndex, to: caretLine.firstIndex(of: "^")!)
        let badOffset = snippetLine.distance(from: snippetLine.startIndex, to: snippetLine.range(of: "BAD")!.lowerBound)
        #expect(caretOffset == badOffset)
    }

    @Test func wideCharactersGetTwoCarets() {
        let file = SourceFile(path: "f.yaml", text: "name: 模型")
        let range = SourceRange(start: SourceLocation(line: 1, column: 7), end: SourceLocation(line: 1, column: 9))
        #expect(DiagnosticRenderer.text(.error("c", "m", at: range), in: file).contains("|       ^^^^\n"))
    }

    @Test func colorIsOffByDefault() {
        #expect(!DiagnosticRenderer.text(diagnostic, in: file).contains("\u{1B}"))
        #expect(DiagnosticRenderer.text(diagnostic, in: file, color: true).contains("\u{1B}[1;31m"))
    }
}
