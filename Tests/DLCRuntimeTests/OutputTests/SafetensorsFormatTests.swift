import DLCRuntime
import Testing

extension OutputTests {
    /// Encoding layout, round trips and the errors `encode` reports.
    @Suite struct SafetensorsFormatTests {
        @Test func tinyFileHasTheExactLayoutComputedByHand() throws {
            let tensor = SafetensorsTensor(name: "w", shape: [2], values: [1.0, -2.0])
            let bytes = try Safetensors.encode([tensor], metadata: ["k": "v"])

            // `{"__metadata__":{"k":"v"},` is 26 bytes, `"w":` 4, `{"dtype":"F32",` 15,
            // `"shape":[2],` 12, `"data_offsets":[0,8]` 20 and `}}` 2: 79 bytes, padded with one
            // space to 80 = 0x50.
            let json = #"{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} "#
            var expected: [UInt8] = [0x50, 0, 0, 0, 0, 0, 0, 0]
            expected += Array(json.utf8)
            expected += [0x00, 0x00, 0x80, 0x3F]  // 1.0 = 0x3F800000, little-endian
            expected += [0x00, 0x00, 0x00, 0xC0]  // -2.0 = 0xC0000000
            #expect(json.utf8.count == 80)
            #expect(bytes == expected)
        }

        @Test func emptyMetadataIsLeftOutAndTheHeaderIsPaddedToEightBytes() throws {
            let bytes = try Safetensors.encode([], metadata: [:])
            // `{}` padded with six spaces, as the reference implementation writes an empty file.
            #expect(bytes == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
            let decoded = try Safetensors.decode(bytes)
            #expect(decoded.tensors.isEmpty)
            #expect(decoded.metadata.isEmpty)
        }

        @Test func metadataKeysAreSortedAndStringsEscaped() throws {
            let bytes = try Safetensors.encode([], metadata: ["b": "x\"y", "a": "1\\2\n\u{01}é"])
            let header = String(decoding: bytes[8...], as: UTF8.self)
            #expect(header.hasPrefix(#"{"__metadata__":{"a":"1\\2\n\u0001é","b":"x\"y"}}"#))
            #expect(try Safetensors.decode(bytes).metadata == ["b": "x\"y", "a": "1\\2\n\u{01}é"])
        }

        @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        func headerLengthIsAlwaysAMultipleOfEight(nameLength: Int) throws {
            let name = String(repeating: "n", count: nameLength + 1)
            let bytes = try Safetensors.encode([SafetensorsTensor(name: name, shape: [1], values: [2])], metadata: [:])
            let length = Int(bytes[0]) | Int(bytes[1]) << 8
            #expect(length % 8 == 0)
            #expect(bytes.count == 8 + length + 4)
        }

        @Test func roundTripKeepsOrderShapesAndEveryBit() throws {
            let tensors = [
                SafetensorsTensor(name: "z.weight", shape: [2, 3], values: [1, -2.5, 0.1, .greatestFiniteMagnitude, -.infinity, .leastNonzeroMagnitude]),
                SafetensorsTensor(name: "a.bias", shape: [3], values: [0, -0.0, .nan]),
                SafetensorsTensor(name: "scalar", shape: [], values: [3.25]),
                SafetensorsTensor(name: "empty", shape: [0, 5], values: []),
                SafetensorsTensor(name: "m.weight", shape: [1, 1, 2], values: [7, -8]),
            ]
            let metadata = ["format": "dlc", "spec": "iris"]
            let bytes = try Safetensors.encode(tensors, metadata: metadata)
            let decoded = try Safetensors.decode(bytes)
            #expect(decoded.metadata == metadata)
            #expect(decoded.tensors.map(\.name) == tensors.map(\.name))
            for (got, expected) in zip(decoded.tensors, tensors) {
                #expect(got.isBitwiseEqual(to: expected), "\(got.name)")
            }
        }

        @Test func largeTensorRoundTrips() throws {
            let values = (0..<100_003).map { Float($0) * 0.001 - 7 }
            let tensor = SafetensorsTensor(name: "big", shape: [100_003], values: values)
            let decoded = try Safetensors.decode(try Safetensors.encode([tensor], metadata: [:]))
            #expect(decoded.tensors.first?.values == values)
        }

        @Test func equalInputsGiveEqualBytes() throws {
            let tensors = [SafetensorsTensor(name: "w", shape: [2], values: [1, 2])]
            var metadata: [String: String] = [:]
            for index in 0..<20 { metadata["key\(index)"] = "value\(index)" }
            let first = try Safetensors.encode(tensors, metadata: metadata)
            let second = try Safetensors.encode(tensors, metadata: Dictionary(uniqueKeysWithValues: metadata.shuffled()))
            #expect(first == second)
        }

        @Test func encodeRejectsDuplicateNames() {
            let tensor = SafetensorsTensor(name: "w", shape: [1], values: [1])
            let error = outputSafetensorsError { _ = try Safetensors.encode([tensor, tensor], metadata: [:]) }
            #expect(error == .duplicateName("w"))
        }

        @Test func encodeRejectsTheReservedName() {
            let tensor = SafetensorsTensor(name: "__metadata__", shape: [1], values: [1])
            #expect(outputSafetensorsError { _ = try Safetensors.encode([tensor], metadata: [:]) } == .reservedName)
        }

        @Test func encodeRejectsValueCountsThatDoNotMatchTheShape() {
            let tensor = SafetensorsTensor(name: "w", shape: [2, 2], values: [1, 2, 3])
            let error = outputSafetensorsError { _ = try Safetensors.encode([tensor], metadata: [:]) }
            #expect(error == .valueCountMismatch(tensor: "w", shape: [2, 2], valueCount: 3))
        }

        @Test func encodeRejectsNegativeAndOverflowingShapes() {
            let negative = SafetensorsTensor(name: "n", shape: [-1], values: [])
            #expect(outputSafetensorsError { _ = try Safetensors.encode([negative], metadata: [:]) } == .invalidShape(tensor: "n", shape: [-1]))
            let huge = SafetensorsTensor(name: "h", shape: [Int.max, 2], values: [])
            #expect(outputSafetensorsError { _ = try Safetensors.encode([huge], metadata: [:]) } == .invalidShape(tensor: "h", shape: [Int.max, 2]))
        }

        @Test func writeAndReadGoThroughTheFileSystem() throws {
            let directory = OutputTestDirectory()
            let path = directory.file("model.safetensors")
            let tensor = SafetensorsTensor(name: "w", shape: [2], values: [0.5, 1.5])
            try Safetensors.write([tensor], metadata: ["spec": "iris"], to: path)
            let read = try Safetensors.read(path: path)
            #expect(read.tensors == [tensor])
            #expect(read.metadata == ["spec": "iris"])
            #expect(directory.contents() == ["model.safetensors"])
        }

        @Test func writeIntoAMissingDirectoryIsUnwritable() {
            let directory = OutputTestDirectory()
            let path = directory.file("missing/model.safetensors")
            let error = outputSafetensorsError { try Safetensors.write([], metadata: [:], to: path) }
            guard case .unwritable(let errorPath, let reason)? = error else {
                Issue.record("expected unwritable, got \(String(describing: error))")
                return
            }
            #expect(errorPath == path)
            #expect(reason.contains("No such file"))
        }
    }
}
