import DLCData
import Foundation
import Testing

/// Reads `text` as `data.csv` with `columns` as a raw table.
func loadTable(_ text: String, target: [String] = ["label"], columns: ColumnTypes, collectsProblems: Bool = false) throws(DataError) -> RawTable {
    let directory = TemporaryDirectory()
    directory.write("data.csv", text: text)
    return try DatasetLoader.loadTable(.csv(path: "data.csv", target: target, features: nil), baseDirectory: directory.path,
                                       task: .classification, seed: 0, columns: columns, collectsProblems: collectsProblems)
}

/// Encodes every row of `text`, fitted on all of them.
func encodeAll(_ text: String, columns: ColumnTypes) throws(DataError) -> (FeatureEncoding, FeatureEncoding.Outcome) {
    let table = try loadTable(text, columns: columns)
    let encoding = FeatureEncoding.fit(columns, to: table, trainingRows: Array(0..<table.dataset.count))
    return (encoding, try encoding.encode(table))
}

@Suite("Typed CSV columns")
struct TypedColumnsTests {
    static let penguinsLike = """
        species,island,mass,sex
        Adelie,Torgersen,3750,male
        Gentoo,Biscoe,,female
        Adelie,Dream,3250,
        Chinstrap,Dream,NA,male
        Gentoo,Biscoe,5000,female

        """

    @Test func categoriesAreOneHotOverSortedValuesAndAMissingCellIsItsOwnValue() throws {
        let types = ColumnTypes(declared: ["island": .category(embedding: nil), "sex": .category(embedding: nil)], missing: .mean)
        let (encoding, outcome) = try encodeAll(Self.penguinsLike.replacingOccurrences(of: "species", with: "label"), columns: types)
        #expect(encoding.featureNames == ["island=Biscoe", "island=Dream", "island=Torgersen", "mass", "sex=female", "sex=male", "sex=(missing)"])
        #expect(encoding.widthBreakdown == "1 number + island 3 + sex 3 = 7")
        let mean: Float = (3750 + 3250 + 5000) / 3
        #expect(outcome.dataset.features == [
            0, 0, 1, 3750, 0, 1, 0,
            1, 0, 0, mean, 1, 0, 0,
            0, 1, 0, 3250, 0, 0, 1,
            0, 1, 0, mean, 0, 1, 0,
            1, 0, 0, 5000, 1, 0, 0,
        ])
        #expect(outcome.dataset.classNames == ["Adelie", "Chinstrap", "Gentoo"])
        #expect(outcome.dataset.labels == [0, 2, 0, 1, 2])
        #expect(encoding.scaledFeatures == [false, false, false, true, false, false, false])
    }

    @Test func fillValuesAndIndicatorsComeFromTheTrainingRowsOnly() throws {
        let text = "x,label\n1,a\n,b\n3,a\n100,b\n\n"
        let table = try loadTable(text, columns: ColumnTypes(missing: .median, missingIndicator: true))
        let median = FeatureEncoding.fit(ColumnTypes(missing: .median, missingIndicator: true), to: table, trainingRows: [0, 1, 2])
        #expect(median.columns[0].kind == .number(fill: 2, indicator: true))
        #expect(try median.encode(table).dataset.features == [1, 0, 2, 1, 3, 0, 100, 0])
        let mean = FeatureEncoding.fit(ColumnTypes(missing: .mean), to: table, trainingRows: [0, 2, 3])
        #expect(mean.columns[0].kind == .number(fill: Float(104.0 / 3), indicator: false))
        let zero = FeatureEncoding.fit(ColumnTypes(missing: .zero, missingIndicator: true), to: table, trainingRows: [0, 2, 3])
        // No training cell is missing, so no indicator, though row 1 is.
        #expect(zero.columns[0].kind == .number(fill: 0, indicator: false))
        #expect(try zero.encode(table).dataset.features == [1, 0, 3, 100])
    }

    @Test func perColumnOptionsOverrideTheSectionsDefaults() throws {
        let types = ColumnTypes(declared: ["y": .number(missing: .zero, indicator: true)], missing: .mean)
        let (encoding, _) = try encodeAll("x,y,label\n1,,a\n3,4,b\n,8,a\n", columns: types)
        #expect(encoding.columns.map(\.kind) == [.number(fill: 2, indicator: false), .number(fill: 0, indicator: true)])
    }

    @Test func categoriesNeverSeenInTrainingEncodeAsUnknownAndAreCounted() throws {
        let types = ColumnTypes(declared: ["c": .category(embedding: nil), "e": .category(embedding: 4)])
        let table = try loadTable("c,e,label\nred,x,a\nblue,y,b\ngreen,z,a\nred,,b\n", columns: types)
        let encoding = FeatureEncoding.fit(types, to: table, trainingRows: [0, 1])
        #expect(encoding.columns[0].kind == .oneHot(values: ["blue", "red"], hasMissing: false))
        #expect(encoding.embeddings == [FeatureEncoding.Embedding(column: "e", rows: 3, dimension: 4)])
        let outcome = try encoding.encode(table)
        // One-hot `blue, red`, then `e`'s id: 0 unknown, 1 `x`, 2 `y`.
        #expect(outcome.dataset.features == [0, 1, 1, 1, 0, 2, 0, 0, 0, 0, 1, 0])
        #expect(outcome.unseen == ["c": 1, "e": 2])
    }

    @Test func theEncodingDoesNotDependOnTheRowOrder() throws {
        let types = ColumnTypes(declared: ["c": .category(embedding: nil), "n": .category(embedding: 3)], missing: .median)
        let rows = ["b,2,1.5,a", "a,10,,b", "c,2,7,a", "a,1,0.25,b", ",3,2,a", "b,10,4,b"]
        let header = "c,n,x,label\n"
        let forward = try encodeAll(header + rows.joined(separator: "\n") + "\n", columns: types).0
        let backward = try encodeAll(header + rows.reversed().joined(separator: "\n") + "\n", columns: types).0
        #expect(forward == backward)
        // Integer categories sort by value.
        #expect(forward.columns[1].kind == .embedding(values: ["1", "2", "3", "10"], hasMissing: false, dimension: 3))
    }

    @Test func quotedFieldsFollowRFC4180() throws {
        let text = "name,fare,label\r\n\"Allen, Miss. Elisabeth\",211.3,a\r\n\"O\"\"Brien, \"\"Tim\"\"\",\"7.5\",b\r\n\"two\nlines\",1,a\r\n"
        let types = ColumnTypes(declared: ["name": .category(embedding: nil)])
        let (encoding, outcome) = try encodeAll(text, columns: types)
        #expect(encoding.columns[0].kind == .oneHot(values: ["Allen, Miss. Elisabeth", "O\"Brien, \"Tim\"", "two\nlines"], hasMissing: false))
        #expect(outcome.dataset.features == [1, 0, 0, 211.3, 0, 1, 0, 7.5, 0, 0, 1, 1])
    }

    @Test func aByteOrderMarkAndCRLFLineEndsAreRead() throws {
        let (_, outcome) = try encodeAll("\u{FEFF}x,label\r\n1,a\r\n2,b\r\n", columns: .numbersOnly)
        #expect(outcome.dataset.features == [1, 2])
    }

    @Test func missingValueSpellingsAreConfigurable() throws {
        let types = ColumnTypes(missing: .zero, missingValues: ["?", "-"])
        let (_, outcome) = try encodeAll("x,label\n?,a\n-,b\n5,a\n", columns: types)
        #expect(outcome.dataset.features == [0, 0, 5])
        // `NA` is no longer a missing spelling, so it is text in a number column.
        #expect(dataError { () throws(DataError) in try encodeAll("x,label\nNA,a\n", columns: types) } != nil)
    }

    @Test func theCheckersReadingCollectsTextInNumberColumns() throws {
        let table = try loadTable("a,sex,label\n1,male,x\n2,female,y\n3,male,x\n4,5,y\n", columns: .numbersOnly, collectsProblems: true)
        let text = try #require(table.columns[1].text)
        #expect(text.first == CellLocation(line: 2, column: 3))
        #expect(text.count == 3)
        #expect(text.samples == ["male", "female"])
        #expect(table.columns[0].text == nil)
    }

    @Test func missingCellsAreCountedWithTheFirstOnesPlace() throws {
        let table = try loadTable("a,b,label\n1,2,x\n3,,y\n,NaN,x\n", columns: .numbersOnly)
        #expect(table.columns.map(\.missingCount) == [1, 2])
        #expect(table.columns.map(\.firstMissing) == [CellLocation(line: 4, column: 1), CellLocation(line: 3, column: 3)])
        let error = dataError { () throws(DataError) in try FeatureEncoding.fit(.numbersOnly, to: table, trainingRows: [0]).encode(table) }
        #expect(error?.description.hasPrefix("data.csv:4:1: missing value in column `a` (1 in all)") == true)
    }

    @Test func rowsWithAMissingTargetAreDroppedWhenAsked() throws {
        let table = try loadTable("x,label\n1,a\n2,\n3,NA\n4,b\n", columns: ColumnTypes(dropsMissingTarget: true))
        #expect(table.droppedRows == 2)
        #expect(table.dataset.features == [1, 4])
        #expect(table.dataset.classNames == ["a", "b"])
    }

    @Test(arguments: [
        ("x,label\n1,a\n2\n", "data.csv:3:2: expected 2 fields, found 1"),
        ("x,label\n\"1,a\n", "data.csv:2:1: unterminated quoted field: no closing `\"`"),
        ("x,label\n1,a\r2,b\n", "data.csv:2:4: carriage return without a line feed; lines must end in `\\n` or `\\r\\n`"),
    ])
    func brokenFilesAreErrorsAtTheirPlace(text: String, message: String) {
        let types = ColumnTypes(declared: ["x": .category(embedding: nil)])
        #expect(dataError { () throws(DataError) in try loadTable(text, columns: types) }?.description == message)
    }

    @Test func aHundredMegabyteLineIsAnErrorNotAHang() throws {
        let long = String(repeating: "abcdefgh", count: 12_500_000)
        let error = dataError { () throws(DataError) in try loadTable("x,label\n" + long + "\n", columns: .numbersOnly) }
        #expect(error?.description == "data.csv:2:100000001: expected 2 fields, found 1")
    }
}
