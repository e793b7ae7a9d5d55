import DLCDiagnostics
@testable import DLCSpec
import Testing

struct YAMLParserTests {
    func parse(_ text: String) -> (YAMLNode?, [Diagnostic]) {
        YAMLParser().parse(text)
    }

    func codes(_ text: String) -> [String] {
        parse(text).1.map(\.code)
    }

    @Test func nodesKeepOneBasedRanges() throws {
        let (root, diagnostics) = parse("name: x\nmodel:\n  input: [4, 8]\n")
        #expect(diagnostics.isEmpty)
        let pairs = try #require(root?.pairs)
        #expect(pairs.map(\.keyText) == ["name", "model"])
        let input = try #require(pairs[1].value.pairs?.first)
        #expect(input.key.range.start == SourceLocation(line: 3, column: 3))
        let items = try #require(input.value.items)
        #expect(items[1].range.start == SourceLocation(line: 3, column: 14))
        #expect(items[1].range.end == SourceLocation(line: 3, column: 15))
    }

    @Test func scalarsResolveWithTheCoreSchema() {
        #expect(YAMLScalar.resolvePlain("16") == .integer(16))
        #expect(YAMLScalar.resolvePlain("-3") == .integer(-3))
        #expect(YAMLScalar.resolvePlain("0x1F") == .integer(31))
        #expect(YAMLScalar.resolvePlain("1e-3") == .number(0.001))
        #expect(YAMLScalar.resolvePlain(".5") == .number(0.5))
        #expect(YAMLScalar.resolvePlain("true") == .bool(true))
        #expect(YAMLScalar.resolvePlain("yes") == .string("yes"))
        #expect(YAMLScalar.resolvePlain("~") == .null)
        #expect(YAMLScalar.resolvePlain("1.2.3") == .string("1.2.3"))
        #expect(YAMLScalar.resolvePlain("99999999999999999999") == .number(1e20))
        #expect(YAMLScalar(text: "16", style: .doubleQuoted).value == .string("16"))
    }

    @Test func syntaxErrorsPointAtTheProblem() throws {
        let (_, diagnostics) = parse("model:\n  layers: [dense, relu\nloss: mse\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.code == "yaml-syntax")
        #expect(diagnostic.message == "invalid YAML: this `[` is never closed")
        #expect(diagnostic.range?.start == SourceLocation(line: 2, column: 11))
        #expect(diagnostic.notes.first?.range?.start.line == 3)
    }

    @Test func duplicateKeysAreErrorsWithANoteOnTheFirst() throws {
        let (_, diagnostics) = parse("a: 1\nb: 2\na: 3\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.code == "duplicate-key")
        #expect(diagnostic.range?.start == SourceLocation(line: 3, column: 1))
        #expect(diagnostic.notes.first?.range?.start == SourceLocation(line: 1, column: 1))
    }

    @Test func everyIndentationTabIsReported() {
        let diagnostics = parse("a:\n\tb: 1\n\tc: 2\n").1
        #expect(diagnostics.map(\.code) == ["tab-indentation", "tab-indentation"])
        #expect(diagnostics.map { $0.range?.start.line } == [2, 3])
    }

    @Test func tabsAfterContentAreFine() {
        #expect(codes("a:\t1\n# \tcomment\n") == [])
    }

    @Test func fileLevelProblems() {
        #expect(codes("") == ["empty-file"])
        #expect(codes("# only a comment\n\n") == ["empty-file"])
        #expect(codes("a: 1\n---\nb: 2\n") == ["multiple-documents"])
        #expect(YAMLParser().parse([0x61, 0x3A, 0x20, 0xFF, 0x0A]).diagnostics.map(\.code) == ["invalid-utf8"])
        #expect(YAMLParser().parse([0x61, 0x3A, 0x20, 0xC3]).diagnostics.first?.range?.start == SourceLocation(line: 1, column: 4))
    }

    @Test func aliasesShareTheirAnchorsNode() throws {
        let (root, diagnostics) = parse("a: &block {units: 4}\nb: *block\n")
        #expect(diagnostics.isEmpty)
        let pairs = try #require(root?.pairs)
        #expect(pairs[0].value === pairs[1].value)
        #expect(codes("a: *nothing\n") == ["unknown-anchor"])
    }

    @Test func billionLaughsFailsFast() {
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
            previous = name
        }
        #expect(codes(lines.joined(separator: "\n")) == ["alias-expansion"])
    }

    @Test func deepNestingIsBounded() {
        let deep = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(codes(deep) == ["too-deep"])
        #expect(codes("a: " + String(repeating: "{b: ", count: 5000)) == ["too-deep"])
    }

    @Test func oversizedTextIsRefused() {
        var limits = YAMLParser.Limits()
        limits.maximumBytes = 10
        #expect(YAMLParser(limits: limits).parse("name: a-long-name\n").diagnostics.map(\.code) == ["file-too-large"])
    }

    @Test func complexKeysAreRejected() {
        #expect(codes("? [a, b]\n: 1\n") == ["complex-key"])
    }

    @Test(arguments: [
        "a: [", "a: {b", "a: \"unterminated", "- a\nb: c", "a: b: c", "!!binary x", "a: !<tag:x> y\n  - z", "\u{1}",
        "a:\n  - b\n c: d", "&a [*a]", "[[[[", "%YAML 9.9\n---\na: 1", "? ? ? a",
    ])
    func malformedInputNeverCrashes(_ text: String) {
        _ = parse(text)
        _ = SpecLoader.load(text: text)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let count = Int.random(in: 0..<400, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = SpecLoader.load(bytes: bytes, path: "random.yaml")
            let printable = bytes.map { $0 % 96 + 32 }.map { $0 == 127 ? 10 : $0 }
            _ = SpecLoader.load(bytes: printable, path: "random.yaml")
        }
    }
}
