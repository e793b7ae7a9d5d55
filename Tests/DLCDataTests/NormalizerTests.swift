import DLCData
import Foundation
import Testing

@Suite("Normalizer")
struct NormalizerTests {
    /// Three features over four examples; the last one is constant.
    static let dataset = Dataset(
        features: [1, 10, 0.1,
                   2, 20, 0.1,
                   3, 30, 0.1,
                   6, 60, 0.1],
        exampleShape: [3], count: 4, labels: [0, 1, 0, 1], targets: [], targetWidth: 1, classNames: ["0", "1"])

    @Test func standard() {
        let normalizer = Normalizer.fit(.standard, to: Self.dataset)
        // Means 3 and 30, population variances (4 + 1 + 0 + 9) / 4 = 3.5 and 350.
        #expect(normalizer.offsets == [3, 30, 0.1])
        #expect(abs(normalizer.scales[0] - Float(1 / 3.5.squareRoot())) < 1e-7)
        #expect(abs(normalizer.scales[1] - Float(1 / 350.0.squareRoot())) < 1e-8)
        #expect(normalizer.scales[2] == 1)
        var dataset = Self.dataset
        normalizer.apply(to: &dataset)
        for j in 0..<2 {
            let column = (0..<4).map { Double(dataset.features[3 * $0 + j]) }
            let mean = column.reduce(0, +) / 4
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
        }
        #expect((0..<4).allSatisfy { dataset.features[3 * $0 + 2] == 0 })
        #expect(dataset.labels == Self.dataset.labels)
    }

    @Test func minmax() {
        let normalizer = Normalizer.fit(.minmax, to: Self.dataset)
        #expect(normalizer.offsets == [1, 10, 0.1])
        #expect(normalizer.scales == [0.2, 0.02, 1])
        var dataset = Self.dataset
        normalizer.apply(to: &dataset)
        let expected: [Float] = [0, 0.2, 0.4, 1]
        for row in 0..<4 {
            #expect(abs(dataset.features[3 * row] - expected[row]) < 1e-6)
            #expect(abs(dataset.features[3 * row + 1] - expected[row]) < 1e-6)
            #expect(dataset.features[3 * row + 2] == 0)
        }
    }

    @Test func noneChangesNothing() {
        let normalizer = Normalizer.fit(.none, to: Self.dataset)
        #expect(normalizer.offsets == [0, 0, 0] && normalizer.scales == [1, 1, 1])
        var dataset = Self.dataset
        normalizer.apply(to: &dataset)
        #expect(dataset.features == Self.dataset.features)
    }

    @Test func pointerFormMatchesDatasetForm() {
        let normalizer = Normalizer.fit(.standard, to: Self.dataset)
        var viaDataset = Self.dataset
        normalizer.apply(to: &viaDataset)
        var raw = Self.dataset.features
        raw.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { normalizer.apply(to: base + 3, count: 2) }
        }
        #expect(Array(raw[3..<9]) == Array(viaDataset.features[3..<9]))
        #expect(Array(raw[0..<3]) == Array(Self.dataset.features[0..<3]))
    }

    @Test func codableRoundTrip() throws {
        let normalizer = Normalizer.fit(.minmax, to: Self.dataset)
        let data = try JSONEncoder().encode(normalizer)
        #expect(try JSONDecoder().decode(Normalizer.self, from: data) == normalizer)
        #expect(String(decoding: data, as: UTF8.self).contains("\"minmax\""))
    }

    @Test func emptyDatasetIsIdentity() {
        let empty = Self.dataset.subset([])
        let normalizer = Normalizer.fit(.standard, to: empty)
        #expect(normalizer.offsets == [0, 0, 0] && normalizer.scales == [1, 1, 1])
    }
}
