import DLCData
import Testing

@Suite("Gzip reader")
struct GzipReaderTests {
    let images = "tiny-images.idx3-ubyte".absolute
    let compressedImages = "tiny-images.idx3-ubyte.gz".absolute

    @Test func magic() {
        #expect(GzipReader.hasMagic(fixtureBytes("tiny-images.idx3-ubyte.gz")))
        #expect(!GzipReader.hasMagic(fixtureBytes("tiny-images.idx3-ubyte")))
        #expect(!GzipReader.hasMagic([0x1F]))
        #expect(!GzipReader.hasMagic([UInt8]()))
    }

    @Test func readAllMatchesThePlainFile() throws {
        #expect(try GzipReader.readAll(path: compressedImages, maximumSize: 1000) == fixtureBytes("tiny-images.idx3-ubyte"))
    }

    @Test(arguments: [0, 1, 4, 16, 52, 100])
    func readPrefix(length: Int) throws {
        let prefix = try GzipReader.readPrefix(path: compressedImages, length: length)
        #expect(prefix == Array(fixtureBytes("tiny-images.idx3-ubyte").prefix(length)))
    }

    @Test func readAllRefusesMoreThanTheMaximum() {
        let error = dataError { () throws(DataError) in
            try GzipReader.readAll(path: compressedImages, maximumSize: 51, reportedPath: "images.gz")
        }
        #expect(error == .unreadable(path: "images.gz", reason: "the decompressed data is larger than 51 bytes"))
    }

    @Test func concatenatedMembers() throws {
        let labels = try GzipReader.readAll(path: "tiny-labels-two-members.idx1-ubyte.gz".absolute, maximumSize: 100)
        #expect(labels == fixtureBytes("tiny-labels.idx1-ubyte"))
    }

    @Test func decompressedSizeOfMnist() throws {
        let path = specsDirectory + "/data/mnist/t10k-images-idx3-ubyte.gz"
        #expect(try GzipReader.decompressedSize(path: path, maximumSize: 1 << 30) == 7_840_016)
        let header = try GzipReader.readPrefix(path: path, length: 16)
        #expect(header == [0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28])
    }

    @Test func truncated() {
        let directory = TemporaryDirectory()
        let compressed = fixtureBytes("tiny-images.idx3-ubyte.gz")
        directory.write("cut.gz", Array(compressed.prefix(compressed.count / 2)))
        let error = dataError { () throws(DataError) in
            try GzipReader.readAll(path: directory.path + "/cut.gz", maximumSize: 1000, reportedPath: "cut.gz")
        }
        #expect(error == .unreadable(path: "cut.gz", reason: "the gzip data is truncated (unexpected end of file)"))
    }

    @Test func notGzip() {
        let error = dataError { () throws(DataError) in
            try GzipReader.readAll(path: images, maximumSize: 1000, reportedPath: "images")
        }
        #expect(error == .unreadable(path: "images", reason: "the gzip data is corrupt (incorrect header check)"))
    }

    @Test func trailingGarbage() {
        let directory = TemporaryDirectory()
        directory.write("extra.gz", fixtureBytes("tiny-labels.idx1-ubyte.gz") + [1, 2, 3])
        let error = dataError { () throws(DataError) in
            try GzipReader.readAll(path: directory.path + "/extra.gz", maximumSize: 1000, reportedPath: "extra.gz")
        }
        #expect(error != nil)
    }

    @Test(arguments: 0..<40)
    func randomBytesAfterMagic(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed) &+ 77)
        let length = Int.random(in: 0..<400, using: &generator)
        let bytes = [0x1F, 0x8B, 0x08, 0x00] + (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let directory = TemporaryDirectory()
        directory.write("random.gz", bytes)
        let error = dataError { () throws(DataError) in
            try GzipReader.readAll(path: directory.path + "/random.gz", maximumSize: 1 << 20)
        }
        #expect(error != nil)
    }

    @Test func missingFile() {
        let error = dataError { () throws(DataError) in
            try GzipReader.readPrefix(path: "/nonexistent/x.gz", length: 16, reportedPath: "x.gz")
        }
        #expect(error == .fileNotFound(path: "x.gz"))
    }
}
