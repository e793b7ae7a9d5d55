import DLCRuntime
import Foundation
import Testing

extension OutputTests {
    /// Files written by the reference implementation (Python `safetensors`) read in dlc, and files
    /// dlc writes match bytes that `safetensors.numpy.load_file` was shown to load. The fixtures
    /// and the script that makes and checks them are in `Fixtures/`; keep `fixtureTensors` in step
    /// with `TENSORS` in `make_fixture.py`.
    @Suite struct SafetensorsInteropTests {
        /// `TENSORS` of make_fixture.py, in its order.
        static let fixtureTensors = [
            SafetensorsTensor(name: "dense1.weight", shape: [2, 3], values: [1, -2.5, 0.1, 3.4028235e38, -.infinity, .leastNormalMagnitude]),
            SafetensorsTensor(name: "dense1.bias", shape: [3], values: [0, -0.0, .leastNonzeroMagnitude]),
            SafetensorsTensor(name: "dense2.weight", shape: [3, 1], values: [.nan, .infinity, 1.0 / 3.0]),
            SafetensorsTensor(name: "scale", shape: [], values: [3.25]),
            SafetensorsTensor(name: "empty", shape: [0, 4], values: []),
            SafetensorsTensor(name: "ünï\"code", shape: [1, 1, 2], values: [7, -8]),
        ]
        static let note = "dlc \"fixture\" \\ line\nünï"
        static let pythonMetadata = ["note": note]
        static let dlcMetadata = ["format": "dlc", "note": note, "spec": "iris"]

        /// The fixture tensors in the reference writer's order: by name, compared as UTF-8 bytes.
        static var byteOrderedTensors: [SafetensorsTensor] {
            fixtureTensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }

        @Test func decodesAFileWrittenByPython() throws {
            let bytes = outputFixtureBytes("python_written.safetensors")
            try #require(!bytes.isEmpty, "missing fixture python_written.safetensors")
            let decoded = try Safetensors.decode(bytes)
            #expect(decoded.metadata == Self.pythonMetadata)
            #expect(decoded.tensors.map(\.name) == Self.byteOrderedTensors.map(\.name))
            for (got, expected) in zip(decoded.tensors, Self.byteOrderedTensors) {
                #expect(got.isBitwiseEqual(to: expected), "\(got.name): \(got.values) != \(expected.values)")
            }
        }

        @Test func encodesTheSameBytesAsPythonForTheSameOrder() throws {
            let bytes = try Safetensors.encode(Self.byteOrderedTensors, metadata: Self.pythonMetadata)
            #expect(bytes == outputFixtureBytes("python_written.safetensors"))
        }

        /// dlc_written.safetensors was checked with `python make_fixture.py --check`; set
        /// DLC_UPDATE_FIXTURES=1 to rewrite it (then run the check again).
        @Test func encodesTheFileThatPythonLoads() throws {
            let bytes = try Safetensors.encode(Self.fixtureTensors, metadata: Self.dlcMetadata)
            let path = outputFixturesDirectory + "/dlc_written.safetensors"
            if ProcessInfo.processInfo.environment["DLC_UPDATE_FIXTURES"] == "1" {
                try AtomicFile.write(bytes, to: path)
            }
            #expect(bytes == outputFixtureBytes("dlc_written.safetensors"))
            let decoded = try Safetensors.read(path: path)
            #expect(decoded.tensors.map(\.name) == Self.fixtureTensors.map(\.name))
            #expect(decoded.metadata == Self.dlcMetadata)
        }

        @Test func reportsTheFloat16TensorOfAMixedFile() {
            let error = outputSafetensorsError { _ = try Safetensors.read(path: outputFixturesDirectory + "/python_float16.safetensors") }
            #expect(error == .unsupportedDtype(tensor: "half", dtype: "F16"))
        }
    }
}
