import DLCData
import Foundation
import Testing

/// Loads `text` as `data.csv` from a fresh temporary folder.
func loadCSV(
    _ text: String, target: [String] = ["label"], features: [String]? = nil, task: DatasetTask = .classification
) throws(DataError) -> Dataset {
    let directory = TemporaryDirectory()
    directory.write("data.csv", text: text)
    let source = DataSourceDescription.csv(path: "data.csv", target: target, features: features)
    return try DatasetLoader.load(source, baseDirectory: directory.path, task: task, seed: 0)
}

@Suite("Dataset loader: CSV")
struct DatasetLoaderCSVTests {
    /// The loader's message for the missing cell of column `b` under version 1's rules.
    static let missingB = "missing value in column `b` (1 in all); set `data.missing` to `mean`, `median` or `zero` to fill such cells"
    static let dropHint = " (`missing_target: drop` leaves such rows out)"

    @Test func iris() throws {
        let source = DataSourceDescription.csv(path: "data/iris.csv", target: ["label"], features: nil)
        let dataset = try DatasetLoader.load(source, baseDirectory: specsDirectory, task: .classification, seed: 0)
        #expect(dataset.count == 150)
        #expect(dataset.featureCount == 4)
        #expect(dataset.exampleShape == [4])
        #expect(dataset.features.count == 600)
        #expect(dataset.classNames == ["0", "1", "2"])
        #expect(dataset.isClassification)
        #expect(dataset.targets.isEmpty)
        #expect(dataset.targetWidth == 1)
        for label in 0..<3 {
            #expect(dataset.labels.filter { $0 == Float(label) }.count == 50)
        }
        #expect(Array(dataset.features.prefix(4)) == [5.1, 3.5, 1.4, 0.2])
        #expect(Array(dataset.features.suffix(4)) == [5.9, 3.0, 5.1, 1.8])
        #expect(dataset.labels.first == 0 && dataset.labels.last == 2)
    }

    @Test func digitsCSVMatchesDigitsIDX() throws {
        let csv = try DatasetLoader.load(
            .csv(path: "data/digits.csv", target: ["label"], features: nil),
            baseDirectory: specsDirectory, task: .classification, seed: 0)
        let idx = try DatasetLoader.load(
            .idx(images: "data/digits-images.idx3-ubyte", labels: "data/digits-labels.idx1-ubyte"),
            baseDirectory: specsDirectory, task: .classification, seed: 0)
        #expect(csv.count == 1797 && csv.featureCount == 64)
        #expect(idx.exampleShape == [8, 8, 1] && idx.featureCount == 64)
        #expect(csv.features == idx.features)
        #expect(csv.labels == idx.labels)
        #expect(csv.classNames == idx.classNames)
    }

    @Test func stringLabelsAreSortedClassIndices() throws {
        let dataset = try loadCSV("x,label\n1,zebra\n2,ant\n3,moose\n4,ant\n5,Zulu\n")
        #expect(dataset.classNames == ["Zulu", "ant", "moose", "zebra"])
        #expect(dataset.labels == [3, 1, 2, 1, 0])
        #expect(dataset.features == [1, 2, 3, 4, 5])
    }

    @Test func integerLabelsSortByValue() throws {
        let dataset = try loadCSV("x,label\n1,10\n2,2\n3,-1\n4,2\n")
        #expect(dataset.classNames == ["-1", "2", "10"])
        #expect(dataset.labels == [2, 1, 0, 1])
    }

    @Test func canonicallyEqualLabelsAreOneClass() throws {
        // "é" precomposed (NFC) and as "e" + combining acute (NFD).
        let dataset = try loadCSV("x,label\n1,caf\u{E9}\n2,cafe\u{301}\n3,tea\n")
        #expect(dataset.classNames.count == 2)
        #expect(dataset.labels == [0, 0, 1])
    }

    @Test func regressionTarget() throws {
        let dataset = try loadCSV("a,y,b\n1,0.5,2\n3,-1.25,4\n5,1e3,6\n", target: ["y"], task: .regression)
        #expect(!dataset.isClassification)
        #expect(dataset.classNames.isEmpty && dataset.labels.isEmpty)
        #expect(dataset.targetWidth == 1)
        #expect(dataset.targets == [0.5, -1.25, 1000])
        #expect(dataset.features == [1, 2, 3, 4, 5, 6])
    }

    @Test func severalTargetColumnsAreValues() throws {
        let dataset = try loadCSV("y2,a,y1\n1,2,3\n4,5,6\n", target: ["y1", "y2"], task: .classification)
        #expect(dataset.targetWidth == 2)
        #expect(dataset.targets == [3, 1, 6, 4])
        #expect(dataset.features == [2, 5])
        #expect(!dataset.isClassification)
    }

    @Test func featuresSelectAndOrderColumns() throws {
        let dataset = try loadCSV("a,b,c,label\n1,2,3,x\n4,5,6,y\n", features: ["c", "a"])
        #expect(dataset.exampleShape == [2])
        #expect(dataset.features == [3, 1, 6, 4])
    }

    @Test func quotedSpacedAndCRLFCells() throws {
        let dataset = try loadCSV("\u{FEFF}\"a\",b,label\r\n\" 1.5\", 2 ,\"x\"\r\n-0,+.25,y\r\n")
        #expect(dataset.features == [1.5, 2, 0, 0.25])
        #expect(dataset.features[2].sign == .minus)
        #expect(dataset.classNames == ["x", "y"])
    }

    @Test func numbersRoundLikeTheStandardParser() throws {
        var generator = SeededGenerator(state: 11)
        var texts: [String] = []
        for _ in 0..<3000 {
            // 1 to 10 digits: short numbers take the parser's fast path, long ones the general one.
            let modulus = (0..<Int.random(in: 1...10, using: &generator)).reduce(UInt64(1)) { value, _ in value * 10 }
            let digits = String(UInt64.random(in: 0..<modulus, using: &generator))
            let split = Int.random(in: 0...digits.count, using: &generator)
            var text = String(digits.prefix(split)) + "." + String(digits.dropFirst(split))
            if text == "." { text = "0" }
            if Bool.random(using: &generator) { text = "-" + text }
            if Int.random(in: 0..<4, using: &generator) == 0 { text += "e\(Int.random(in: -40...28, using: &generator))" }
            texts.append(text)
        }
        texts += ["16777217", "0.1", "3.4028235e38", "1e-46", "0.000000000001", "123456789012345678901234567890"]
        let dataset = try loadCSV("x,label\n" + texts.map { $0 + ",0" }.joined(separator: "\n"))
        for (text, value) in zip(texts, dataset.features) {
            #expect(value == Float(text), "\(text)")
        }
    }

    @Test func emptyRowsAndHeaderErrorsAreTheMetadataReaders() {
        #expect(dataError { () throws(DataError) in try loadCSV("x,label\n") }
            == .malformed(path: "data.csv", line: 1, column: 1, message: "the file has a header row but no data rows"))
        #expect(dataError { () throws(DataError) in try loadCSV("x,label\n1,0\n2\n") }
            == .malformed(path: "data.csv", line: 3, column: 2, message: "expected 2 fields, found 1"))
        #expect(dataError { () throws(DataError) in try loadCSV("x,label\n1,0\n", target: ["y"]) }
            == .missingColumn(column: "y", available: ["x", "label"]))
    }

    @Test(arguments: [
        ("a,b,label\n1,2,0\n3,abc,1\n", 3, 3, "`abc` in column `b` is not a number; a column of text needs `b: category` under `data.columns`"),
        ("a,b,label\n1,,0\n", 2, 3, DatasetLoaderCSVTests.missingB),
        ("a,b,label\n1,\"\",0\n", 2, 3, DatasetLoaderCSVTests.missingB),
        ("a,b,label\n1,NA,0\n", 2, 3, DatasetLoaderCSVTests.missingB),
        ("a,b,label\n1,2,0\n1, null ,0\n", 3, 3, "missing value in column `b` (1 in all); set `data.missing` to `mean`, `median` or `zero` to fill such cells"),
        ("a,b,label\nnan,1,0\n", 2, 1, "missing value in column `a` (1 in all); set `data.missing` to `mean`, `median` or `zero` to fill such cells"),
        ("a,b,label\n1,-inf,0\n", 2, 3, "`-inf` in column `b` is not a finite number"),
        ("a,b,label\n1,Infinity,0\n", 2, 3, "`Infinity` in column `b` is not a finite number"),
        ("a,b,label\n1,1e39,0\n", 2, 3, "`1e39` in column `b` is out of the float32 range"),
        ("a,b,label\n1,0x1p3,0\n", 2, 3, "`0x1p3` in column `b` is not a number; a column of text needs `b: category` under `data.columns`"),
        ("a,b,label\n1,1.2.3,0\n", 2, 3, "`1.2.3` in column `b` is not a number; a column of text needs `b: category` under `data.columns`"),
        ("é,b,label\n1,2,0\nü€,2,1\n", 3, 1, "`ü€` in column `é` is not a number; a column of text needs `é: category` under `data.columns`"),
    ])
    func badFeatureCell(text: String, line: Int, column: Int, message: String) {
        let error = dataError { () throws(DataError) in try loadCSV(text) }
        #expect(error == .malformed(path: "data.csv", line: line, column: column, message: message))
    }

    @Test func badCellInIris() throws {
        let directory = TemporaryDirectory()
        var text = (try? String(contentsOfFile: specsDirectory + "/data/iris.csv", encoding: .utf8)) ?? ""
        text = text.replacingOccurrences(of: "5.0,3.6,1.4,0.2,0", with: "5.0,abc,1.4,0.2,0")
        directory.write("iris.csv", text: text)
        let error = dataError { () throws(DataError) in
            try DatasetLoader.load(
                .csv(path: "iris.csv", target: ["label"], features: nil),
                baseDirectory: directory.path, task: .classification, seed: 0)
        }
        #expect(error == .malformed(path: "iris.csv", line: 6, column: 5, message: "`abc` in column `sepal width (cm)` is not a number; a column of text needs `sepal width (cm): category` under `data.columns`"))
        #expect(error?.description == "iris.csv:6:5: `abc` in column `sepal width (cm)` is not a number; a column of text needs `sepal width (cm): category` under `data.columns`")
    }

    @Test(arguments: [
        ("x,y\n1,2\n2,abc\n", 3, 3, "`abc` in target column `y` is not a number"),
        ("x,y\n1,\n", 2, 3, "missing value for target column `y`" + DatasetLoaderCSVTests.dropHint),
        ("x,y\n1,nan\n", 2, 3, "missing value for target column `y`" + DatasetLoaderCSVTests.dropHint),
        ("x,y\n1,inf\n", 2, 3, "`inf` in target column `y` is not a finite number"),
    ])
    func badRegressionTarget(text: String, line: Int, column: Int, message: String) {
        let error = dataError { () throws(DataError) in try loadCSV(text, target: ["y"], task: .regression) }
        #expect(error == .malformed(path: "data.csv", line: line, column: column, message: message))
    }

    @Test func missingClassLabel() {
        let error = dataError { () throws(DataError) in try loadCSV("x,label\n1,a\n2,\n") }
        #expect(error == .malformed(path: "data.csv", line: 3, column: 3, message: "missing value for target column `label`" + DatasetLoaderCSVTests.dropHint))
    }

    @Test func missingFileAndGzip() {
        let directory = TemporaryDirectory()
        directory.write("data.csv", fixtureBytes("tiny-labels.idx1-ubyte.gz"))
        #expect(dataError { () throws(DataError) in
            try DatasetLoader.load(.csv(path: "none.csv", target: ["y"], features: nil), baseDirectory: directory.path, task: .regression, seed: 0)
        } == .fileNotFound(path: "none.csv"))
        #expect(dataError { () throws(DataError) in
            try DatasetLoader.load(.csv(path: "data.csv", target: ["y"], features: nil), baseDirectory: directory.path, task: .regression, seed: 0)
        } == .unreadable(path: "data.csv", reason: "the file is gzip-compressed; a CSV source must be uncompressed text"))
    }
}
