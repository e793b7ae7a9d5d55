import DLCData
import Foundation
import Testing

@Suite("Builtin datasets")
struct SyntheticDatasetTests {
    func load(_ set: SyntheticDataset, samples: Int? = nil, noise: Double? = nil, seed: UInt64 = 1) throws(DataError) -> Dataset {
        try DatasetLoader.load(.builtin(set, samples: samples, noise: noise), baseDirectory: "", task: .classification, seed: seed)
    }

    @Test(arguments: SyntheticDataset.allCases)
    func shapesAndDefaults(set: SyntheticDataset) throws {
        let dataset = try load(set)
        #expect(dataset.count == set.defaultSamples)
        #expect(dataset.exampleShape == [set.featureCount])
        #expect(dataset.features.count == set.defaultSamples * set.featureCount)
        #expect(dataset.features.allSatisfy { $0.isFinite })
        if set.isRegression {
            #expect(!dataset.isClassification && dataset.targets.count == dataset.count && dataset.targetWidth == 1)
        } else {
            #expect(dataset.classNames == ["0", "1"] && dataset.labels.count == dataset.count)
            let ones = dataset.labels.filter { $0 == 1 }.count
            #expect(ones == dataset.count - dataset.count / 2)
        }
    }

    @Test(arguments: SyntheticDataset.allCases)
    func seededAndDeterministic(set: SyntheticDataset) throws {
        let samples = set == .xor ? 12 : 101
        let first = try load(set, samples: samples, noise: 0.1, seed: 5)
        let again = try load(set, samples: samples, noise: 0.1, seed: 5)
        let other = try load(set, samples: samples, noise: 0.1, seed: 6)
        #expect(first.features == again.features && first.labels == again.labels && first.targets == again.targets)
        #expect(first.features != other.features)
    }

    @Test func xorCornersAreExact() throws {
        let dataset = try load(.xor)
        #expect(dataset.features == [0, 0, 0, 1, 1, 0, 1, 1])
        #expect(dataset.labels == [0, 1, 1, 0])
        let repeated = try load(.xor, samples: 10, seed: 99)
        #expect(repeated.features == [0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1])
        #expect(repeated.labels == [0, 1, 1, 0, 0, 1, 1, 0, 0, 1])
        let noisy = try load(.xor, samples: 8, noise: 0.1)
        #expect(noisy.labels == repeated.labels.prefix(8).map { $0 })
        #expect(noisy.features != Array(repeated.features.prefix(16)))
        #expect(zip(noisy.features, repeated.features).allSatisfy { abs($0 - $1) < 1 })
    }

    @Test func moonsLieOnTheirHalfCircles() throws {
        let dataset = try load(.moons, samples: 99, noise: 0)
        #expect(dataset.labels.filter { $0 == 0 }.count == 49)
        for row in 0..<dataset.count {
            let x = Double(dataset.features[2 * row]), y = Double(dataset.features[2 * row + 1])
            if dataset.labels[row] == 0 {
                #expect(abs(x * x + y * y - 1) < 1e-5 && y >= -1e-6)
            } else {
                #expect(abs((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5) - 1) < 1e-5 && y <= 0.5 + 1e-6)
            }
        }
        // Shuffled: not all of class 0 first.
        #expect(dataset.labels != dataset.labels.sorted())
    }

    @Test func circlesHaveRadiusOneAndOneHalf() throws {
        let dataset = try load(.circles, samples: 200)
        for row in 0..<dataset.count {
            let x = dataset.features[2 * row], y = dataset.features[2 * row + 1]
            let radius = (x * x + y * y).squareRoot()
            #expect(abs(radius - (dataset.labels[row] == 0 ? 1 : 0.5)) < 1e-5)
        }
    }

    @Test func spiralsRadiusRunsToOne() throws {
        let dataset = try load(.spirals, samples: 100)
        var radii: [[Float]] = [[], []]
        for row in 0..<dataset.count {
            let x = dataset.features[2 * row], y = dataset.features[2 * row + 1]
            radii[Int(dataset.labels[row])].append((x * x + y * y).squareRoot())
        }
        for arm in radii {
            #expect(arm.count == 50)
            let sorted = arm.sorted()
            #expect(abs(sorted[0] - 0.02) < 1e-5 && abs(sorted[49] - 1) < 1e-5)
        }
    }

    @Test func sineIsARegression() throws {
        let exact = try load(.sine, samples: 500)
        #expect(exact.features.allSatisfy { abs($0) <= Float.pi })
        for (x, y) in zip(exact.features, exact.targets) {
            #expect(abs(y - Float(sin(Double(x)))) < 1e-6)
        }
        let noisy = try load(.sine, samples: 500, noise: 0.1)
        #expect(noisy.features == exact.features)
        let residuals = zip(noisy.features, noisy.targets).map { Double($1) - sin(Double($0)) }
        let deviation = (residuals.map { $0 * $0 }.reduce(0, +) / 500).squareRoot()
        #expect(deviation > 0.08 && deviation < 0.12)
    }

    @Test func badSamplesAreErrors() {
        #expect(dataError { () throws(DataError) in try load(.moons, samples: 0) }
            == .malformed(path: "builtin: moons", line: nil, column: nil, message: "`samples` must be from 1 to 10000000, found 0"))
        #expect(dataError { () throws(DataError) in try load(.moons, samples: 1) } == nil)
    }
}
