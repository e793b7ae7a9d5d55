import DLCData
import Testing

@Suite("Builtin metadata")
struct BuiltinMetadataTests {
    @Test(arguments: SyntheticDataset.allCases)
    func defaults(dataset: SyntheticDataset) throws {
        let metadata = try DatasetMetadataReader.read(.builtin(dataset, samples: nil, noise: nil), baseDirectory: "")
        #expect(metadata.exampleShape == [dataset.featureCount])
        #expect(metadata.exampleCount == dataset.defaultSamples)
        #expect(metadata.featureNames.isEmpty)
        #expect(metadata.targetIsNumeric)
        if dataset.isRegression {
            #expect(metadata.target == .values(width: 1))
            #expect(dataset.classCount == nil)
        } else {
            #expect(metadata.target == .classes(["0", "1"]))
            #expect(dataset.classCount == 2)
        }
    }

    @Test func properties() {
        #expect(SyntheticDataset.xor.defaultSamples == 4)
        #expect(SyntheticDataset.moons.defaultSamples == 200)
        #expect(SyntheticDataset.sine.featureCount == 1)
        #expect(SyntheticDataset.spirals.featureCount == 2)
        #expect(SyntheticDataset.allCases.filter(\.isRegression) == [.sine])
        #expect(SyntheticDataset(rawValue: "circles") == .circles)
    }

    @Test func samplesAndNoise() throws {
        let metadata = try DatasetMetadataReader.read(.builtin(.moons, samples: 1000, noise: 0.1), baseDirectory: "")
        #expect(metadata.exampleCount == 1000)
    }

    @Test(arguments: [
        (0, nil, "`samples` must be from 1 to 10000000, found 0"),
        (-5, nil, "`samples` must be from 1 to 10000000, found -5"),
        (10_000_001, nil, "`samples` must be from 1 to 10000000, found 10000001"),
        (10, -0.5, "`noise` must be a finite number of at least 0, found -0.5"),
        (10, Double.nan, "`noise` must be a finite number of at least 0, found nan"),
        (10, Double.infinity, "`noise` must be a finite number of at least 0, found inf"),
    ] as [(Int, Double?, String)])
    func invalidOptions(samples: Int, noise: Double?, message: String) {
        let error = dataError { () throws(DataError) in
            try DatasetMetadataReader.read(.builtin(.circles, samples: samples, noise: noise), baseDirectory: "")
        }
        #expect(error == .malformed(path: "builtin: circles", line: nil, column: nil, message: message))
    }

    @Test func errorDescriptions() {
        #expect(DataError.fileNotFound(path: "data/x.csv").description == "no such file `data/x.csv`")
        #expect(DataError.malformed(path: "a.csv", line: 2, column: 4, message: "expected 3 fields, found 2").description
            == "a.csv:2:4: expected 3 fields, found 2")
        #expect(DataError.missingColumn(column: "lable", available: ["a", "label"]).description
            == "no column `lable` in the header (columns: `a`, `label`)")
        #expect(DataError.unreadable(path: "x", reason: "it is a directory, not a file").description
            == "cannot read `x`: it is a directory, not a file")
    }
}
