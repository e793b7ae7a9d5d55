import DLCData
import Foundation
import Testing

/// `specs/data/penguins.csv` encoded as `specs/penguins.yaml` asks, against pandas + scikit-learn
/// (`Reference/penguins_encoding.py`, values in `penguins_encoding.json`).
struct PenguinsEncodingTests {
    struct Reference: Decodable {
        var categories: [[String]]
        var species: [String]
        var features: [Double]
    }

    @Test func everyRowMatchesScikitLearnsImputerEncoderAndScaler() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: here.appendingPathComponent("Reference/penguins_encoding.json")))
        let types = ColumnTypes(declared: ["island": .category(embedding: nil), "sex": .category(embedding: nil)], missing: .mean)
        let table = try DatasetLoader.loadTable(.csv(path: "penguins.csv", target: ["species"], features: nil),
                                                baseDirectory: here.path + "/../../specs/data", task: .classification, seed: 0, columns: types)
        let encoding = FeatureEncoding.fit(types, to: table, trainingRows: Array(0..<table.dataset.count))
        var dataset = try encoding.encode(table).dataset
        Normalizer.fit(.standard, to: dataset, scaled: encoding.scaledFeatures).apply(to: &dataset)
        #expect(dataset.count == 344)
        #expect(dataset.featureCount == 11)
        #expect(encoding.columns[0].kind == .oneHot(values: reference.categories[0], hasMissing: false))
        #expect(encoding.columns[5].kind == .oneHot(values: ["female", "male"], hasMissing: true))
        #expect(dataset.classNames == ["Adelie", "Chinstrap", "Gentoo"])
        #expect(dataset.labels.map { dataset.classNames[Int($0)] } == reference.species)
        var worst = 0.0
        for (index, expected) in reference.features.enumerated() {
            worst = max(worst, abs(Double(dataset.features[index]) - expected))
        }
        // The offsets are float32: `year`'s mean, 2008.03, is held to 1.2e-4, which its scale
        // (1 / 0.82) turns into 1e-4 at most; the other columns agree to 1e-6.
        #expect(worst < 1e-4, "largest difference from scikit-learn: \(worst)")
    }
}
