import DLCRuntime
import Testing

extension OutputTests {
    /// One corrupt file and the error decoding must report.
    struct SafetensorsCorruptionCase: Sendable, CustomStringConvertible {
        /// The error expected: a specific one, or any `invalidHeader`.
        enum Expected: Sendable {
            case exactly(SafetensorsError)
            case invalidHeader
        }

        var description: String
        var bytes: [UInt8]
        var expected: Expected

        init(_ description: String, _ bytes: [UInt8], _ expected: Expected) {
            self.description = description
            self.bytes = bytes
            self.expected = expected
        }

        /// A header entry for an F32 tensor.
        static func entry(_ name: String, shape: String, offsets: String, dtype: String = "F32") -> String {
            #""\#(name)":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
        }

        static let all: [SafetensorsCorruptionCase] = [
            SafetensorsCorruptionCase("empty file", [], .exactly(.tooShort(byteCount: 0))),
            SafetensorsCorruptionCase("seven bytes", [8, 0, 0, 0, 0, 0, 0], .exactly(.tooShort(byteCount: 7))),
            SafetensorsCorruptionCase(
                "header length over 100 MiB",
                handMadeSafetensors(header: Array("{}".utf8), declaredLength: 100 * 1024 * 1024 + 1),
                .exactly(.headerTooLarge(length: 100 * 1024 * 1024 + 1))),
            SafetensorsCorruptionCase(
                "header length UInt64.max", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B, 0x7D],
                .exactly(.headerTooLarge(length: .max))),
            SafetensorsCorruptionCase(
                "header length past the end", handMadeSafetensors(header: Array("{}      ".utf8), declaredLength: 64),
                .exactly(.headerPastEnd(length: 64, available: 8))),
            SafetensorsCorruptionCase("header not JSON", handMadeSafetensors("not json"), .invalidHeader),
            SafetensorsCorruptionCase("header an array", handMadeSafetensors("[1, 2]"), .invalidHeader),
            SafetensorsCorruptionCase("header with trailing text", handMadeSafetensors("{} x"), .invalidHeader),
            SafetensorsCorruptionCase("header not UTF-8", handMadeSafetensors(header: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]), .invalidHeader),
            SafetensorsCorruptionCase("unterminated string", handMadeSafetensors(#"{"w"#), .invalidHeader),
            SafetensorsCorruptionCase("lone surrogate", handMadeSafetensors(#"{"\ud800":1}"#), .invalidHeader),
            SafetensorsCorruptionCase("control character in a name", handMadeSafetensors("{\"a\u{01}\":{}}"), .invalidHeader),
            SafetensorsCorruptionCase(
                "deep nesting", handMadeSafetensors(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)),
                .invalidHeader),
            SafetensorsCorruptionCase(
                "deep nesting unterminated", handMadeSafetensors(#"{"a":"# + String(repeating: "{\"a\":", count: 50_000)),
                .invalidHeader),
            SafetensorsCorruptionCase("entry not an object", handMadeSafetensors(#"{"w":[0,4]}"#), .invalidHeader),
            SafetensorsCorruptionCase("missing dtype", handMadeSafetensors(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase("missing shape", handMadeSafetensors(#"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase("missing offsets", handMadeSafetensors(#"{"w":{"dtype":"F32","shape":[1]}}"#, dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase("three offsets", handMadeSafetensors("{" + entry("w", shape: "[1]", offsets: "[0,4,8]") + "}", dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase("negative dimension", handMadeSafetensors("{" + entry("w", shape: "[-1]", offsets: "[0,4]") + "}", dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase("fractional dimension", handMadeSafetensors("{" + entry("w", shape: "[1.0]", offsets: "[0,4]") + "}", dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase("exponent offset", handMadeSafetensors("{" + entry("w", shape: "[1]", offsets: "[0,4e0]") + "}", dataBytes: 4), .invalidHeader),
            SafetensorsCorruptionCase(
                "offset beyond Int", handMadeSafetensors("{" + entry("w", shape: "[1]", offsets: "[0,99999999999999999999]") + "}", dataBytes: 4),
                .invalidHeader),
            SafetensorsCorruptionCase("metadata not strings", handMadeSafetensors(#"{"__metadata__":{"epochs":3}}"#), .invalidHeader),
            SafetensorsCorruptionCase("metadata not an object", handMadeSafetensors(#"{"__metadata__":"x"}"#), .invalidHeader),
            SafetensorsCorruptionCase(
                "element count overflows", handMadeSafetensors("{" + entry("w", shape: "[4611686018427387904,4]", offsets: "[0,4]") + "}", dataBytes: 4),
                .exactly(.invalidShape(tensor: "w", shape: [4_611_686_018_427_387_904, 4]))),
            SafetensorsCorruptionCase(
                "float16 tensor", handMadeSafetensors("{" + entry("h", shape: "[2]", offsets: "[0,4]", dtype: "F16") + "}", dataBytes: 4),
                .exactly(.unsupportedDtype(tensor: "h", dtype: "F16"))),
            SafetensorsCorruptionCase(
                "duplicate name", handMadeSafetensors("{" + entry("w", shape: "[1]", offsets: "[0,4]") + "," + entry("w", shape: "[1]", offsets: "[4,8]") + "}", dataBytes: 8),
                .exactly(.duplicateName("w"))),
            SafetensorsCorruptionCase(
                "offsets past the data", handMadeSafetensors("{" + entry("w", shape: "[3]", offsets: "[0,12]") + "}", dataBytes: 8),
                .exactly(.offsetsOutOfRange(tensor: "w", begin: 0, end: 12, dataLength: 8))),
            SafetensorsCorruptionCase(
                "offsets reversed", handMadeSafetensors("{" + entry("w", shape: "[1]", offsets: "[8,4]") + "}", dataBytes: 8),
                .exactly(.offsetsOutOfRange(tensor: "w", begin: 8, end: 4, dataLength: 8))),
            SafetensorsCorruptionCase(
                "size not shape times four", handMadeSafetensors("{" + entry("w", shape: "[2]", offsets: "[0,4]") + "}", dataBytes: 4),
                .exactly(.sizeMismatch(tensor: "w", shape: [2], byteCount: 4))),
            SafetensorsCorruptionCase(
                "overlapping tensors",
                handMadeSafetensors("{" + entry("a", shape: "[2]", offsets: "[0,8]") + "," + entry("b", shape: "[1]", offsets: "[4,8]") + "}", dataBytes: 8),
                .exactly(.overlappingOffsets(tensor: "b", begin: 4, previousEnd: 8))),
            SafetensorsCorruptionCase(
                "gap between tensors",
                handMadeSafetensors("{" + entry("a", shape: "[1]", offsets: "[0,4]") + "," + entry("b", shape: "[1]", offsets: "[8,12]") + "}", dataBytes: 12),
                .exactly(.gapBeforeTensor(tensor: "b", begin: 8, previousEnd: 4))),
            SafetensorsCorruptionCase(
                "gap at the start", handMadeSafetensors("{" + entry("a", shape: "[1]", offsets: "[4,8]") + "}", dataBytes: 8),
                .exactly(.gapBeforeTensor(tensor: "a", begin: 4, previousEnd: 0))),
            SafetensorsCorruptionCase(
                "trailing data", handMadeSafetensors("{" + entry("a", shape: "[1]", offsets: "[0,4]") + "}", dataBytes: 9),
                .exactly(.trailingData(byteCount: 5))),
        ]
    }

    /// Corrupt and truncated files throw the right error and never trap.
    @Suite struct SafetensorsCorruptionTests {
        @Test(arguments: SafetensorsCorruptionCase.all)
        func corruptFileThrowsTheRightError(_ corruption: SafetensorsCorruptionCase) {
            let error = outputSafetensorsError { _ = try Safetensors.decode(corruption.bytes) }
            switch corruption.expected {
            case .exactly(let expected):
                #expect(error == expected)
            case .invalidHeader:
                guard case .invalidHeader? = error else {
                    Issue.record("expected invalidHeader, got \(String(describing: error))")
                    return
                }
            }
            #expect(error.map { !$0.description.isEmpty } == true)
        }

        /// A small valid file: two tensors and metadata.
        private func sampleFile() throws -> [UInt8] {
            try Safetensors.encode(
                [
                    SafetensorsTensor(name: "dense.weight", shape: [2, 2], values: [1, 2, 3, 4]),
                    SafetensorsTensor(name: "dense.bias", shape: [2], values: [-1, 0.5]),
                ],
                metadata: ["spec": "tiny"])
        }

        @Test func truncationAtEveryByteThrows() throws {
            let bytes = try sampleFile()
            let headerEnd = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
            for length in 0..<bytes.count {
                let error = outputSafetensorsError { _ = try Safetensors.decode(Array(bytes[..<length])) }
                switch length {
                case ..<8:
                    #expect(error == .tooShort(byteCount: length))
                case ..<headerEnd:
                    #expect(error == .headerPastEnd(length: UInt64(headerEnd - 8), available: length - 8))
                default:
                    guard case .offsetsOutOfRange? = error else {
                        Issue.record("length \(length): expected offsetsOutOfRange, got \(String(describing: error))")
                        continue
                    }
                }
            }
            #expect(try Safetensors.decode(bytes).tensors.count == 2)
        }

        @Test func flippedBitsNeverTrap() throws {
            let bytes = try sampleFile()
            var decodedCount = 0
            for index in bytes.indices {
                for mask: UInt8 in [0x01, 0x04, 0x20, 0x80, 0xFF] {
                    var corrupt = bytes
                    corrupt[index] ^= mask
                    if (try? Safetensors.decode(corrupt)) != nil { decodedCount += 1 }
                }
            }
            // Flips inside float data still decode; flips in lengths and structure throw.
            #expect(decodedCount > 0)
            #expect(decodedCount < bytes.count * 5)
        }

        @Test func randomHeadersNeverTrap() {
            var generator = OutputTestRandom(seed: 42)
            let alphabet = Array(#"{}[]":,0123456789-.eE \ufF32abc"#.utf8)
            for _ in 0..<2000 {
                let length = Int(generator.next() % 64)
                let header = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
                _ = try? Safetensors.decode(handMadeSafetensors(header: header, dataBytes: Int(generator.next() % 16)))
            }
        }

        @Test func readReportsMissingFilesAndDirectories() {
            let directory = OutputTestDirectory()
            let missing = directory.file("nope.safetensors")
            #expect(outputSafetensorsError { _ = try Safetensors.read(path: missing) } == .fileNotFound(path: missing))
            guard case .unreadable(let path, _)? = outputSafetensorsError({ _ = try Safetensors.read(path: directory.path) }) else {
                Issue.record("expected unreadable for a directory")
                return
            }
            #expect(path == directory.path)
        }

        @Test func unsupportedDtypeMessageNamesTheOnlySupportedOne() {
            let message = SafetensorsError.unsupportedDtype(tensor: "h", dtype: "BF16").description
            #expect(message == "tensor `h` has dtype `BF16`; dlc supports only `F32` tensors")
        }
    }

    /// A small seeded generator (OutputTestRandom) so the random-header test is reproducible.
    struct OutputTestRandom {
        private var state: UInt64

        init(seed: UInt64) {
            state = seed
        }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
