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
        #expect(names.isSuperset(of: ["xor.yaml", "iris.yaml", "digits-cnn.yaml", "mnist-resnet.yaml", "digits-branches.yaml"]))
    }

    @Test(arguments: specPaths)
    func specChecksClean(_ path: String) {
        let result = Checker.check(path: path, options: TestCheckpointReader.options)
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

    /// The graph examples of the spec language, version 2: the blocks, the strided block's
    /// projection and the branches, with their inputs.
    @Test func canonicalGraphModels() throws {
        let resnet = try #require(Checker.check(path: Self.specsFolder.appendingPathComponent("mnist-resnet.yaml").path).model)
        #expect(resnet.parameterCount == 24_314)
        #expect(resnet.stateCount == 288)
        let projection = try #require(resnet.layers.firstIndex { $0.name == "residual_23.projection" })
        #expect(resnet.layers[projection].outputShape == [7, 7, 32])
        #expect(resnet.name(of: resnet.layers[projection].inputs[0]) == "relu_17")
        #expect(resnet.layers.filter { $0.kind == "residual" }.map { $0.inputs.map(resnet.name(of:)) }
                == [["batchnorm_8", "maxpool2d_3"], ["batchnorm_15", "relu_10"], ["batchnorm_22", "residual_23.projection"]])
        let branches = try #require(Checker.check(path: Self.specsFolder.appendingPathComponent("digits-branches.yaml").path).model)
        #expect(branches.layers.map(\.outputShape) == [[8, 8, 8], [8, 8, 8], [8, 8, 16], [4, 4, 16], [256], [10]])
        #expect(branches.layers[2].inputs.map(branches.name(of:)) == ["narrow", "wide"])
    }
}
