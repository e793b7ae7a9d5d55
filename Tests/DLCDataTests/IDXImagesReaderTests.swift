import DLCData
import Testing

/// The images of an IDX file read alone, as `dlc predict` does for a model of images.
struct IDXImagesReaderTests {
    @Test(arguments: ["tiny-images.idx3-ubyte", "tiny-images.idx3-ubyte.gz"])
    func readsImagesAlone(name: String) throws {
        let images = try IDXImagesReader.read(path: fixturesDirectory + "/" + name)
        #expect(images.count == 6 && images.exampleShape == [2, 3, 1])
        #expect(images.values == (0..<36).map { Float(7 * $0) })
    }

    @Test func namesPickIDX() {
        for path in ["data/t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", "x/digits.IDX", "a.idx.gz"] {
            #expect(IDXImagesReader.looksLikeIDX(path), "\(path)")
        }
        for path in ["input.csv", "ubyte/input.csv", "images.gz", "idx"] {
            #expect(!IDXImagesReader.looksLikeIDX(path), "\(path)")
        }
    }

    @Test func brokenFilesAreErrorsThatNameThem() {
        let directory = TemporaryDirectory()
        let labels = fixtureBytes("tiny-labels.idx1-ubyte")
        let cases: [(String, [UInt8], String)] = [
            ("labels-ubyte", labels, "at least 2 dimensions"),
            ("short-ubyte", Array(fixtureBytes("tiny-images.idx3-ubyte").dropLast(5)), "the file is truncated"),
            ("text-ubyte", Array("p0,p1\n1,2\n".utf8), "not an IDX file"),
        ]
        for (name, bytes, expected) in cases {
            let path = directory.path + "/" + directory.write(name, bytes)
            #expect(throws: DataError.self) { try IDXImagesReader.read(path: path) }
            do {
                _ = try IDXImagesReader.read(path: path)
            } catch {
                #expect(error.message.contains(expected), "\(name): \(error.message)")
            }
        }
    }
}
