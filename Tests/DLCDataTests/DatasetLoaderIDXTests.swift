import DLCData
import Testing

@Suite("Dataset loader: IDX")
struct DatasetLoaderIDXTests {
    func load(_ images: String, _ labels: String, in directory: String = fixturesDirectory) throws(DataError) -> Dataset {
        try DatasetLoader.load(.idx(images: images, labels: labels), baseDirectory: directory, task: .classification, seed: 0)
    }

    @Test(arguments: [
        ("tiny-images.idx3-ubyte", "tiny-labels.idx1-ubyte"),
        ("tiny-images.idx3-ubyte.gz", "tiny-labels.idx1-ubyte.gz"),
        ("tiny-images.idx3-ubyte", "tiny-labels-two-members.idx1-ubyte.gz"),
    ])
    func tinyPair(images: String, labels: String) throws {
        let dataset = try load(images, labels)
        #expect(dataset.count == 6)
        #expect(dataset.exampleShape == [2, 3, 1])
        #expect(dataset.featureCount == 6)
        // The fixture's pixels are 0, 7, 14, ..., 245; its labels 3, 1, 10, 1, 2, 3.
        #expect(dataset.features == (0..<36).map { Float(7 * $0) })
        #expect(dataset.classNames == ["1", "2", "3", "10"])
        #expect(dataset.labels == [2, 0, 3, 0, 1, 2])
        #expect(dataset.targets.isEmpty && dataset.targetWidth == 1)
    }

    @Test func taskDoesNotChangeIDX() throws {
        let dataset = try DatasetLoader.load(
            .idx(images: "tiny-images.idx3-ubyte", labels: "tiny-labels.idx1-ubyte"),
            baseDirectory: fixturesDirectory, task: .regression, seed: 0)
        #expect(dataset.isClassification)
    }

    @Test func mnistTrain() throws {
        let dataset = try load(
            "data/mnist/train-images-idx3-ubyte.gz", "data/mnist/train-labels-idx1-ubyte.gz", in: specsDirectory)
        #expect(dataset.count == 60000)
        #expect(dataset.exampleShape == [28, 28, 1])
        #expect(dataset.features.count == 60000 * 784)
        #expect(dataset.classNames == (0...9).map(String.init))
        #expect(Array(dataset.labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        // Sums computed with Python's gzip module from the same files.
        #expect(dataset.features.prefix(784).reduce(0, +) == 27525)
        #expect(dataset.features[784..<1568].reduce(0, +) == 31095)
        #expect(dataset.features.reduce(0.0) { $0 + Double($1) } == 1_567_298_545)
        #expect(dataset.features.max() == 255)
        let perClass = (0..<10).map { label in dataset.labels.filter { $0 == Float(label) }.count }
        #expect(perClass == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    }

    @Test func mnistTest() throws {
        let dataset = try load(
            "data/mnist/t10k-images-idx3-ubyte.gz", "data/mnist/t10k-labels-idx1-ubyte.gz", in: specsDirectory)
        #expect(dataset.count == 10000)
        #expect(dataset.labels.first == 7)
        #expect(dataset.features.prefix(784).reduce(0, +) == 18454)
    }

    @Test func truncatedAndOversizedFiles() {
        let directory = TemporaryDirectory()
        let images = fixtureBytes("tiny-images.idx3-ubyte")
        directory.write("short", Array(images.dropLast(3)))
        directory.write("long", images + [1, 2])
        directory.write("labels", fixtureBytes("tiny-labels.idx1-ubyte"))
        let short = dataError { () throws(DataError) in try load("short", "labels", in: directory.path) }
        #expect(short == .malformed(path: "short", line: nil, column: nil,
            message: "the file is 49 bytes, but its header (shape 6 x 2 x 3) describes 52 bytes: the file is truncated"))
        let long = dataError { () throws(DataError) in try load("long", "labels", in: directory.path) }
        #expect(long == .malformed(path: "long", line: nil, column: nil,
            message: "the file is 54 bytes, but its header (shape 6 x 2 x 3) describes 52 bytes: it has extra bytes at the end"))
    }

    @Test func truncatedGzip() {
        let directory = TemporaryDirectory()
        // A gzip stream holding only part of the images.
        let gzip = fixtureBytes("tiny-images.idx3-ubyte.gz")
        directory.write("cut.gz", Array(gzip.prefix(gzip.count - 12)))
        directory.write("labels", fixtureBytes("tiny-labels.idx1-ubyte"))
        let error = dataError { () throws(DataError) in try load("cut.gz", "labels", in: directory.path) }
        #expect(error == .unreadable(path: "cut.gz", reason: "the gzip data is truncated (unexpected end of file)"))
    }

    @Test func countsMustAgree() {
        let directory = TemporaryDirectory()
        directory.write("images", idxBytes([3, 2], data: [1, 2, 3, 4, 5, 6]))
        directory.write("labels", idxBytes([2], data: [0, 1]))
        let error = dataError { () throws(DataError) in try load("images", "labels", in: directory.path) }
        #expect(error == .malformed(path: "labels", line: nil, column: nil,
            message: "the labels file has 2 labels, but the images file `images` has 3 images"))
    }

    @Test func flatImagesKeepTheirShape() throws {
        let directory = TemporaryDirectory()
        directory.write("images", idxBytes([3, 2], data: [1, 2, 3, 4, 5, 255]))
        directory.write("labels", idxBytes([3], data: [9, 4, 9]))
        let dataset = try load("images", "labels", in: directory.path)
        #expect(dataset.exampleShape == [2])
        #expect(dataset.features == [1, 2, 3, 4, 5, 255])
        #expect(dataset.classNames == ["4", "9"])
        #expect(dataset.labels == [1, 0, 1])
    }
}
