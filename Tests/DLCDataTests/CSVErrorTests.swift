import DLCData
import Foundation
import Testing

/// A CSV text and the error (position and message) it must produce.
struct CSVErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var text: String
    var line: Int
    var column: Int
    var message: String

    var testDescription: String { name }
}

@Suite("CSV errors")
struct CSVErrorTests {
    static let malformedCases: [CSVErrorCase] = [
        .init(name: "empty file", text: "", line: 1, column: 1,
              message: "the file is empty; a CSV source needs a header row and data rows"),
        .init(name: "only newlines", text: "\n\r\n\n", line: 1, column: 1,
              message: "the file is empty; a CSV source needs a header row and data rows"),
        .init(name: "header only", text: "a,label\n", line: 1, column: 1,
              message: "the file has a header row but no data rows"),
        .init(name: "empty header line", text: "\na,label\n1,0\n", line: 1, column: 1,
              message: "the header row is empty; the first line must name the columns"),
        .init(name: "empty header name", text: "a,,label\n1,2,0\n", line: 1, column: 3,
              message: "column 2 of the header has no name"),
        .init(name: "blank header name", text: "a,  ,label\n1,2,0\n", line: 1, column: 3,
              message: "column 2 of the header has no name"),
        .init(name: "duplicate header name", text: "a,label,a\n1,0,2\n", line: 1, column: 9,
              message: "duplicate column name `a` (also column 1)"),
        .init(name: "too few fields", text: "a,b,label\n1,2,0\n3,4\n", line: 3, column: 4,
              message: "expected 3 fields, found 2"),
        .init(name: "too few fields, quoted", text: "a,b,label\n\"1\",\"2\"\n", line: 2, column: 8,
              message: "expected 3 fields, found 2"),
        .init(name: "too many fields", text: "a,b,label\n1,2,0,7,8\n", line: 2, column: 7,
              message: "expected 3 fields, found 5"),
        .init(name: "too few fields, crlf", text: "a,b,c,d,label\r\n1,2,3,4,0\r\n1,2,3,0\r\n", line: 3, column: 8,
              message: "expected 5 fields, found 4"),
        .init(name: "empty line", text: "a,b,label\n1,2,0\n\n3,4,1\n", line: 3, column: 1,
              message: "empty line; expected 3 fields"),
        .init(name: "missing target value", text: "a,b,label\n1,2,0\n1,2,\n", line: 3, column: 5,
              message: "missing value for target column `label`"),
        .init(name: "blank target value", text: "a,label,b\n1,  ,2\n", line: 2, column: 3,
              message: "missing value for target column `label`"),
        .init(name: "unterminated quote", text: "a,label\n1,0\n2,\"1\n3,0\n", line: 3, column: 3,
              message: "unterminated quoted field: no closing `\"`"),
        .init(name: "text after closing quote", text: "a,label\n\"1\"x,0\n", line: 2, column: 4,
              message: "unexpected text after a closing quote; a quoted field must end at `,` or the end of the line"),
        .init(name: "bare carriage return", text: "a,label\r1,0\n", line: 1, column: 8,
              message: "carriage return without a line feed; lines must end in `\\n` or `\\r\\n`"),
        .init(name: "line after a multi-line field", text: "a,label\n\"x\ny\",0\n1\n", line: 4, column: 2,
              message: "expected 2 fields, found 1"),
    ]

    @Test(arguments: malformedCases)
    func malformed(_ testCase: CSVErrorCase) {
        let result = csvResult(testCase.text)
        #expect(result.failure == .malformed(path: "data.csv", line: testCase.line, column: testCase.column, message: testCase.message))
    }

    /// Invalid UTF-8 byte sequences (after `a,label\n1,0\né,`) and the first bad byte.
    @Test(arguments: [
        ([0xFF], 0xFF),
        ([0xC0, 0xAF], 0xC0),
        ([0xED, 0xA0, 0x80], 0xED),
        ([0xF4, 0x90, 0x80, 0x80], 0xF4),
        ([0x80], 0x80),
        ([0xE2, 0x82], 0xE2),
    ] as [([UInt8], UInt8)])
    func invalidUTF8(sequence: [UInt8], reportedByte: UInt8) {
        let directory = TemporaryDirectory()
        directory.write("data.csv", Array("a,label\n1,0\né,".utf8) + sequence)
        let source = DataSourceDescription.csv(path: "data.csv", target: ["label"], features: nil)
        let error = dataError { () throws(DataError) in try DatasetMetadataReader.read(source, baseDirectory: directory.path) }
        let hex = String(reportedByte, radix: 16, uppercase: true)
        #expect(error == .malformed(path: "data.csv", line: 3, column: 3, message: "invalid UTF-8 (byte 0x\(hex)); the file must be UTF-8 text"))
    }

    @Test func validMultibyteUTF8() throws {
        let metadata = try csvResult("a,label\n1,🐍\n2,é\n3,€\n").get()
        #expect(metadata.target == .classes(["é", "€", "🐍"]))
    }

    @Test func missingTargetColumn() {
        let result = csvResult("a,b\n1,2\n", target: ["lable"])
        #expect(result.failure == .missingColumn(column: "lable", available: ["a", "b"]))
    }

    @Test func missingFeatureColumn() {
        let result = csvResult("a,b,label\n1,2,0\n", features: ["a", "c"])
        #expect(result.failure == .missingColumn(column: "c", available: ["a", "b", "label"]))
    }

    @Test(arguments: [
        (["label"], ["a", "label"], "column `label` is both the target and a feature"),
        (["label", "label"], nil, "target column `label` is listed twice"),
        (["label"], ["a", "a"], "feature column `a` is listed twice"),
        (["label"], [], "the feature list is empty; name at least one column"),
        ([], nil, "no target column given"),
        (["a", "b", "label"], nil, "no feature columns: every column of the header is a target"),
    ] as [([String], [String]?, String)])
    func columnSelection(target: [String], features: [String]?, message: String) {
        let result = csvResult("a,b,label\n1,2,0\n", target: target, features: features)
        #expect(result.failure == .malformed(path: "data.csv", line: nil, column: nil, message: message))
    }

    @Test func fileNotFoundNamesThePathAsWritten() {
        let source = DataSourceDescription.csv(path: "data/nope.csv", target: ["label"], features: nil)
        let error = dataError { () throws(DataError) in try DatasetMetadataReader.read(source, baseDirectory: fixturesDirectory) }
        #expect(error == .fileNotFound(path: "data/nope.csv"))
        let throughFile = DataSourceDescription.csv(path: "iris.csv/x.csv", target: ["label"], features: nil)
        let notADirectory = dataError { () throws(DataError) in try DatasetMetadataReader.read(throughFile, baseDirectory: fixturesDirectory) }
        #expect(notADirectory == .fileNotFound(path: "iris.csv/x.csv"))
    }

    @Test func directoryIsUnreadable() {
        let source = DataSourceDescription.csv(path: ".", target: ["label"], features: nil)
        let error = dataError { () throws(DataError) in try DatasetMetadataReader.read(source, baseDirectory: fixturesDirectory) }
        #expect(error == .unreadable(path: ".", reason: "it is a directory, not a file"))
    }

    @Test func devicesAndPipesAreRefusedWithoutBlocking() {
        let device = DataSourceDescription.csv(path: "/dev/null", target: ["label"], features: nil)
        let deviceError = dataError { () throws(DataError) in try DatasetMetadataReader.read(device, baseDirectory: "") }
        #expect(deviceError == .unreadable(path: "/dev/null", reason: "it is not a regular file"))

        let directory = TemporaryDirectory()
        #expect(mkfifo(directory.path + "/pipe.csv", 0o600) == 0)
        let pipe = DataSourceDescription.csv(path: "pipe.csv", target: ["label"], features: nil)
        let pipeError = dataError { () throws(DataError) in try DatasetMetadataReader.read(pipe, baseDirectory: directory.path) }
        #expect(pipeError == .unreadable(path: "pipe.csv", reason: "it is not a regular file"))
    }

    @Test func gzipCompressedCSVIsRefused() {
        let source = DataSourceDescription.csv(path: "tiny-labels.idx1-ubyte.gz", target: ["label"], features: nil)
        let error = dataError { () throws(DataError) in try DatasetMetadataReader.read(source, baseDirectory: fixturesDirectory) }
        #expect(error == .unreadable(path: "tiny-labels.idx1-ubyte.gz", reason: "the file is gzip-compressed; a CSV source must be uncompressed text"))
    }

    @Test func binaryFileIsMalformed() {
        let source = DataSourceDescription.csv(path: "tiny-images.idx3-ubyte", target: ["label"], features: nil)
        let error = dataError { () throws(DataError) in try DatasetMetadataReader.read(source, baseDirectory: fixturesDirectory) }
        guard case .malformed(path: "tiny-images.idx3-ubyte", line: _?, column: _?, message: _) = error else {
            Issue.record("expected a malformed error with a position, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: 0..<40)
    func randomBytesNeverCrash(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed))
        let alphabet: [UInt8] = Array("ab,\"\n\r 1.\t".utf8) + [0xC3, 0xA9, 0xFF, 0xE2]
        let length = Int.random(in: 0..<300, using: &generator)
        let bytes = (0..<length).map { _ in
            seed.isMultiple(of: 2) ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator) ?? 0
        }
        let directory = TemporaryDirectory()
        directory.write("random.csv", bytes)
        for target in [["a"], ["label"], ["a", "b"]] {
            let source = DataSourceDescription.csv(path: "random.csv", target: target, features: nil)
            _ = dataError { () throws(DataError) in try DatasetMetadataReader.read(source, baseDirectory: directory.path) }
        }
    }
}

extension Result {
    /// The error of a failed result, or nil.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
