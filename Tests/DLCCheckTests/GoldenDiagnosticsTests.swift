import DLCCheck
import DLCDiagnostics
import Foundation
import Testing

/// Every `Golden/bad/NAME.yaml` is checked and its rendered diagnostics compared with `NAME.expected`.
///
/// Set `DLC_RECORD_GOLDEN=1` to rewrite the `.expected` files, then review them with `git diff`.
struct GoldenDiagnosticsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/bad")

    static var specNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// Checks one file and renders what `dlc check --quiet` would print, with the path shortened.
    static func render(_ name: String) -> (text: String, result: CheckResult) {
        var result = Checker.check(path: folder.appendingPathComponent(name).path, options: TestCheckpointReader.options)
        result.file = SourceFile(path: name, text: result.file.text)
        return (DiagnosticRenderer.text(result.diagnostics, in: result.file), result)
    }

    @Test func thereAreEnoughGoldenSpecs() {
        #expect(Self.specNames.count >= 40)
    }

    @Test(arguments: specNames)
    func goldenDiagnostics(_ name: String) throws {
        let (text, result) = Self.render(name)
        let expectedURL = Self.folder.appendingPathComponent(String(name.dropLast(5)) + ".expected")
        if ProcessInfo.processInfo.environment["DLC_RECORD_GOLDEN"] != nil {
            try text.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(text == expected, "\(name): rendered diagnostics differ from \(expectedURL.lastPathComponent)")
        #expect(result.hasErrors, "\(name) is a bad spec but checks without errors")
    }
}
