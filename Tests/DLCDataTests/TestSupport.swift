import DLCData
import Foundation

/// A fresh folder under the system's temporary folder, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("dlc-data-tests-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` inside the folder and returns `name`.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(bytes))
        return name
    }

    /// Writes `text` as UTF-8 to `name` inside the folder and returns `name`.
    @discardableResult
    func write(_ name: String, text: String) -> String {
        write(name, Array(text.utf8))
    }
}

/// The folder holding the committed fixture files.
let fixturesDirectory: String = Bundle.module.resourcePath.map { $0 + "/Fixtures" } ?? "Fixtures"

/// The bytes of the fixture `name`.
func fixtureBytes(_ name: String) -> [UInt8] {
    (try? Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/" + name))).map { [UInt8]($0) } ?? []
}

/// The repository's `specs/` folder (datasets under `specs/data/`).
let specsDirectory: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("specs").path

/// The error `body` throws, or nil when it returns.
func dataError<T>(_ body: () throws(DataError) -> T) -> DataError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The metadata of a CSV at `name` in `directory` with target `target`, or its error.
func csvResult(
    _ text: String, target: [String] = ["label"], features: [String]? = nil
) -> Result<DatasetMetadata, DataError> {
    let directory = TemporaryDirectory()
    directory.write("data.csv", text: text)
    let source = DataSourceDescription.csv(path: "data.csv", target: target, features: features)
    return Result { () throws(DataError) -> DatasetMetadata in
        try DatasetMetadataReader.read(source, baseDirectory: directory.path)
    }
}

/// A big-endian IDX file of unsigned bytes with the given dimensions and data.
func idxBytes(_ dimensions: [Int], data: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for dimension in dimensions {
        let value = UInt32(truncatingIfNeeded: dimension)
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    return bytes + data
}

/// A small seeded generator (SplitMix64), so random-input tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
