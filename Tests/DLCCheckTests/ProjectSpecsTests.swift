import DLCCheck
import DLCDiagnostics
import Foundation
import Testing

/// Every spec in the project's `specs/` folder checks clean, with its data.
struct ProjectSpecsTests {
    static let specsFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("specs")

    static var specPaths: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: specsFolder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { specsFolder.appendingPathComponent($0).path }
    }

    @Test func theCanonicalExamplesArePresent() {
        let names = Set(Self.specPaths.map { ($0 as NSString).lastPathComponent })
        #expect(names.isSuperset(of: ["xor.yaml", "iris.yaml", "digits-cnn.yaml"]))
    }

    @Test(arguments: specPaths)
    func specChecksClean(_ path: String) {
        let result = Checker.check(path: path)
        #expect(result.diagnostics.isEmpty, "\(DiagnosticRenderer.text(result.diagnostics, in: result.file))")
        #expect(result.model != nil)
    }

    @Test func canonicalShapesAndParameterCounts() throws {
        let iris = try #require(Checker.check(path: Self.specsFolder.appendingPathComponent("iris.yaml").path).model)
        #expect(iris.layers.map(\.name) == ["dense_0", "dense_1", "dense_2"])
        #expect(iris.layers.map(\.outputShape) == [[16], [16], [3]])
        #expect(iris.parameterCount == 4 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3)
        let cnn = try #require(Checker.check(path: Self.specsFolder.appendingPathComponent("digits-cnn.yaml").path).model)
        #expect(cnn.layers.map(\.outputShape) == [[8, 8, 16], [4, 4, 16], [256], [64], [64], [10]])
        #expect(cnn.parameterCount == (3 * 3 * 1 * 16 + 16) + (256 * 64 + 64) + (64 * 10 + 10))
        #expect(cnn.trainingData?.exampleCount == 1797)
    }
}
