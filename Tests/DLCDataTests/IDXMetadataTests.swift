import DLCData
import Testing

@Suite("IDX metadata")
struct IDXMetadataTests {
    static let tinyMetadata = DatasetMetadata(
        exampleShape: [2, 3, 1], exampleCount: 6, featureNames: [],
        target: .classes(["1", "2", "3", "10"]), targetIsNumeric: true)

    func read(_ images: String, _ labels: String, in directory: String = fixturesDirectory) throws(DataError) -> DatasetMetadata {
        try DatasetMetadataReader.read(.idx(images: images, labels: labels), baseDirectory: directory)
    }

    func error(_ images: String, _ labels: String, in directory: String = fixturesDirectory) -> DataError? {
        dataError { () throws(DataError) in try read(images, labels, in: directory) }
    }

    @Test(arguments: [
        ("tiny-images.idx3-ubyte", "tiny-labels.idx1-ubyte"),
        ("tiny-images.idx3-ubyte.gz", "tiny-labels.idx1-ubyte.gz"),
        ("tiny-images.idx3-ubyte.gz", "tiny-labels.idx1-ubyte"),
        ("tiny-images.idx3-ubyte", "tiny-labels-two-members.idx1-ubyte.gz"),
    ])
    func tinyPair(images: String, labels: String) throws {
        #expect(try read(images, labels) == Self.tinyMetadata)
    }

    @Test func compressionIsDetectedByContentNotName() throws {
        let directory = TemporaryDirectory()
        directory.write("images.idx", fixtureBytes("tiny-images.idx3-ubyte.gz"))
        directory.write("labels.gz", fixtureBytes("tiny-labels.idx1-ubyte"))
        #expect(try read("images.idx", "labels.gz", in: directory.path) == Self.tinyMetadata)
    }

    @Test func digitsInSpecsData() throws {
        let metadata = try read("data/digits-images.idx3-ubyte", "data/digits-labels.idx1-ubyte", in: specsDirectory)
        #expect(metadata.exampleShape == [8, 8, 1])
        #expect(metadata.exampleCount == 1797)
        #expect(metadata.target == .classes((0...9).map(String.init)))
    }

    @Test(arguments: [("train", 60000), ("t10k", 10000)])
    func mnistInSpecsData(prefix: String, count: Int) throws {
        let metadata = try read("data/mnist/\(prefix)-images-idx3-ubyte.gz", "data/mnist/\(prefix)-labels-idx1-ubyte.gz", in: specsDirectory)
        #expect(metadata == DatasetMetadata(
            exampleShape: [28, 28, 1], exampleCount: count, featureNames: [],
            target: .classes((0...9).map(String.init)), targetIsNumeric: true))
    }

    @Test(arguments: [
        ([4, 5], [5]),
        ([4, 2, 3], [2, 3, 1]),
        ([4, 2, 3, 3], [2, 3, 3]),
        ([4, 1, 2, 1, 2], [1, 2, 1, 2]),
    ])
    func exampleShapes(dimensions: [Int], shape: [Int]) throws {
        let directory = TemporaryDirectory()
        let size = dimensions.reduce(1, *)
        directory.write("images", idxBytes(dimensions, data: [UInt8](repeating: 7, count: size)))
        directory.write("labels", idxBytes([4], data: [0, 1, 1, 0]))
        let metadata = try read("images", "labels", in: directory.path)
        #expect(metadata.exampleShape == shape)
        #expect(metadata.exampleCount == 4)
        #expect(metadata.target == .classes(["0", "1"]))
    }

    /// An images file (the labels are the tiny fixture's) and the message it must produce.
    @Test(arguments: [
        ([], "the file is empty; expected an IDX file"),
        ([0, 0, 8], "the file is 3 bytes, too short for an IDX header"),
        (Array("a,b,label\n1,2,0\n".utf8), "not an IDX file: it starts with 61 2C 62 2C, but an IDX file starts with two zero bytes, a type byte and a rank byte (`00 00 08 03` for MNIST images)"),
        (idxBytes([6, 1], data: [], type: 0x0D), "IDX element type 0x0D (float32) is not supported; only 0x08 (unsigned byte) is"),
        (idxBytes([6, 1], data: [], type: 0x42), "unknown IDX element type 0x42; expected 0x08 (unsigned byte)"),
        ([0, 0, 8, 0], "the IDX header has rank 0; expected at least 1 dimension"),
        ([0, 0, 8, 9] + [UInt8](repeating: 1, count: 36), "the IDX header has rank 9; at most 8 dimensions are supported"),
        ([0, 0, 8, 3, 0, 0, 0, 6, 0, 0], "the IDX header is truncated: rank 3 needs 16 bytes, the file has 10"),
        (idxBytes([6, 0, 3], data: []), "dimension 2 of the IDX header is 0"),
        (idxBytes([6, 0xFFFF_FFFF, 0xFFFF_FFFF], data: []), "the IDX header's shape 6 x 4294967295 x 4294967295 describes more than 2 GiB of data"),
        (idxBytes([6, 65536, 65536], data: []), "the IDX header's shape 6 x 65536 x 65536 describes more than 2 GiB of data"),
        (idxBytes([6], data: [1, 2, 3, 4, 5, 6]), "an images file needs at least 2 dimensions (examples x values), but this one has shape 6"),
        (idxBytes([6, 2, 3], data: [UInt8](repeating: 0, count: 35)), "the file is 51 bytes, but its header (shape 6 x 2 x 3) describes 52 bytes: the file is truncated"),
        (idxBytes([6, 2, 3], data: [UInt8](repeating: 0, count: 37)), "the file is 53 bytes, but its header (shape 6 x 2 x 3) describes 52 bytes: it has extra bytes at the end"),
    ] as [([UInt8], String)])
    func malformedImages(bytes: [UInt8], message: String) {
        let directory = TemporaryDirectory()
        directory.write("images", bytes)
        directory.write("labels", fixtureBytes("tiny-labels.idx1-ubyte"))
        #expect(error("images", "labels", in: directory.path) == .malformed(path: "images", line: nil, column: nil, message: message))
    }

    @Test(arguments: [
        (idxBytes([6, 1], data: [UInt8](repeating: 0, count: 6)), "a labels file needs 1 dimension, but this one has shape 6 x 1"),
        (idxBytes([5], data: [1, 2, 3, 4, 5]), "the labels file has 5 labels, but the images file `images` has 6 images"),
        (idxBytes([6], data: [1, 2, 3, 4, 5]), "the file is 13 bytes, but its header (shape 6) describes 14 bytes: the file is truncated"),
    ] as [([UInt8], String)])
    func malformedLabels(bytes: [UInt8], message: String) {
        let directory = TemporaryDirectory()
        directory.write("images", fixtureBytes("tiny-images.idx3-ubyte"))
        directory.write("labels", bytes)
        #expect(error("images", "labels", in: directory.path) == .malformed(path: "labels", line: nil, column: nil, message: message))
    }

    @Test func truncatedGzipImages() {
        let directory = TemporaryDirectory()
        let compressed = fixtureBytes("tiny-images.idx3-ubyte.gz")
        directory.write("images.gz", Array(compressed.prefix(compressed.count - 10)))
        #expect(error("images.gz", "tiny-labels.idx1-ubyte.gz".absolute, in: directory.path) == .unreadable(path: "images.gz", reason: "the gzip data is truncated (unexpected end of file)"))
    }

    @Test(arguments: [2, 8, 12, 20, 33])
    func truncatedGzipLabels(length: Int) {
        let directory = TemporaryDirectory()
        directory.write("labels.gz", Array(fixtureBytes("tiny-labels.idx1-ubyte.gz").prefix(length)))
        let result = error("tiny-images.idx3-ubyte".absolute, "labels.gz", in: directory.path)
        guard case .unreadable(path: "labels.gz", reason: _)? = result else {
            Issue.record("expected an unreadable error, got \(String(describing: result))")
            return
        }
    }

    @Test func corruptGzip() {
        let directory = TemporaryDirectory()
        var compressed = fixtureBytes("tiny-images.idx3-ubyte.gz")
        for index in 10..<min(30, compressed.count) { compressed[index] = 0xFF }
        directory.write("images.gz", compressed)
        let result = error("images.gz", "tiny-labels.idx1-ubyte".absolute, in: directory.path)
        guard case .unreadable(path: "images.gz", reason: let reason)? = result else {
            Issue.record("expected an unreadable error, got \(String(describing: result))")
            return
        }
        #expect(reason.hasPrefix("the gzip data is corrupt"))
    }

    @Test func missingAndDirectoryFiles() {
        #expect(error("nope.idx3-ubyte", "tiny-labels.idx1-ubyte") == .fileNotFound(path: "nope.idx3-ubyte"))
        #expect(error("tiny-images.idx3-ubyte", "nope.gz") == .fileNotFound(path: "nope.gz"))
        #expect(error(".", "tiny-labels.idx1-ubyte") == .unreadable(path: ".", reason: "it is a directory, not a file"))
    }

    @Test(arguments: 0..<60)
    func randomBytesNeverCrash(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed) &+ 1000)
        let length = Int.random(in: 0..<200, using: &generator)
        var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        switch seed % 4 {
        case 0 where bytes.count >= 4: bytes.replaceSubrange(0..<4, with: [0, 0, 8, UInt8(seed % 5)])
        case 1 where bytes.count >= 2: bytes.replaceSubrange(0..<2, with: [0x1F, 0x8B])
        case 2 where bytes.count >= 3: bytes.replaceSubrange(0..<3, with: [0x1F, 0x8B, 0x08])
        default: break
        }
        let directory = TemporaryDirectory()
        directory.write("random", bytes)
        #expect(error("random", "tiny-labels.idx1-ubyte".absolute, in: directory.path) != nil)
        #expect(error("tiny-images.idx3-ubyte".absolute, "random", in: directory.path) != nil)
    }
}

extension String {
    /// The fixture file of this name, as an absolute path.
    var absolute: String { fixturesDirectory + "/" + self }
}
