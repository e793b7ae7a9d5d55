import DLCData
import Testing

@Suite("CSV metadata")
struct CSVMetadataTests {
    @Test func irisFixture() throws {
        let source = DataSourceDescription.csv(path: "iris.csv", target: ["label"], features: nil)
        let metadata = try DatasetMetadataReader.read(source, baseDirectory: fixturesDirectory)
        #expect(metadata.exampleShape == [4])
        #expect(metadata.exampleCount == 150)
        #expect(metadata.featureNames == ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"])
        #expect(metadata.target == .classes(["0", "1", "2"]))
        #expect(metadata.targetIsNumeric)
    }

    @Test func absolutePathIgnoresBaseDirectory() throws {
        let source = DataSourceDescription.csv(path: fixturesDirectory + "/iris.csv", target: ["label"], features: nil)
        let metadata = try DatasetMetadataReader.read(source, baseDirectory: "/nonexistent")
        #expect(metadata.exampleCount == 150)
    }

    @Test func digitsInSpecsData() throws {
        let source = DataSourceDescription.csv(path: "data/digits.csv", target: ["label"], features: nil)
        let metadata = try DatasetMetadataReader.read(source, baseDirectory: specsDirectory)
        #expect(metadata.exampleShape == [64])
        #expect(metadata.exampleCount == 1797)
        #expect(metadata.featureNames.first == "p0" && metadata.featureNames.last == "p63")
        #expect(metadata.target == .classes((0...9).map(String.init)))
    }

    @Test func stringLabelsSortLexicographically() throws {
        let metadata = try csvResult("x,label\n1,cherry\n2,apple\n3,banana\n4,apple\n5,Zebra\n").get()
        #expect(metadata.target == .classes(["Zebra", "apple", "banana", "cherry"]))
        #expect(!metadata.targetIsNumeric)
    }

    @Test func integerLabelsSortNumerically() throws {
        let metadata = try csvResult("x,label\n1,10\n2,9\n3,-3\n4,2\n5,10\n6,123456789012345678901234567890\n").get()
        #expect(metadata.target == .classes(["-3", "2", "9", "10", "123456789012345678901234567890"]))
        #expect(metadata.targetIsNumeric)
        #expect(metadata.exampleCount == 6)
    }

    @Test func mixedLabelsSortLexicographically() throws {
        let metadata = try csvResult("x,label\n1,10\n2,9\n3,1.5\n").get()
        #expect(metadata.target == .classes(["1.5", "10", "9"]))
        #expect(metadata.targetIsNumeric)
    }

    @Test func multipleTargetsAreValues() throws {
        let metadata = try csvResult("a,y1,b,y2\n1,0.5,2,-1e3\n3,.25,4,7\n", target: ["y2", "y1"]).get()
        #expect(metadata.target == .values(width: 2))
        #expect(metadata.featureNames == ["a", "b"])
        #expect(metadata.exampleShape == [2])
        #expect(metadata.targetIsNumeric)
    }

    @Test func multipleTargetsWithText() throws {
        let metadata = try csvResult("a,y1,y2\n1,0.5,x\n", target: ["y1", "y2"]).get()
        #expect(metadata.target == .values(width: 2))
        #expect(!metadata.targetIsNumeric)
    }

    @Test func listedFeaturesKeepTheirOrder() throws {
        let metadata = try csvResult("a,b,c,label\n1,2,3,0\n", features: ["c", "a"]).get()
        #expect(metadata.featureNames == ["c", "a"])
        #expect(metadata.exampleShape == [2])
    }

    @Test(arguments: [
        "a,label\r\n1,0\r\n2,1\r\n",
        "a,label\n1,0\n2,1",
        "a,label\n1,0\n2,1\n\n\n",
        "\u{FEFF}a,label\n1,0\n2,1\n",
        "\"a\",\"label\"\n\"1\",\"0\"\n2,\"1\"\n",
        "a , label\n1, 0\n2,1 \n",
    ])
    func lineEndsQuotesAndSpaces(text: String) throws {
        let metadata = try csvResult(text).get()
        #expect(metadata.featureNames == ["a"])
        #expect(metadata.exampleCount == 2)
        #expect(metadata.target == .classes(["0", "1"]))
    }

    @Test func quotedFieldsWithCommasEscapesAndNewlines() throws {
        let text = "\"name, full\",\"say \"\"hi\"\"\",label\n\"Smith, J\",\"a\nb\",\"x, \"\"y\"\"\"\n1,2,\"\"\"\"\n"
        let metadata = try csvResult(text).get()
        #expect(metadata.featureNames == ["name, full", "say \"hi\""])
        #expect(metadata.exampleCount == 2)
        #expect(metadata.target == .classes(["\"", "x, \"y\""]))
    }

    @Test func unicodeNames() throws {
        let metadata = try csvResult("größe,ラベル\n1,猫\n2,犬\n", target: ["ラベル"]).get()
        #expect(metadata.featureNames == ["größe"])
        #expect(metadata.target == .classes(["犬", "猫"].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }))
    }

    @Test func sortedClassNames() {
        #expect(DataTarget.sortedClassNames(["10", "2", "-1", "+3", "03", "3"]) == ["-1", "2", "+3", "03", "3", "10"])
        #expect(DataTarget.sortedClassNames(["b", "a", "10", "9"]) == ["10", "9", "a", "b"])
        #expect(DataTarget.sortedClassNames(["-0", "0", "-1"]) == ["-1", "-0", "0"])
    }
}
