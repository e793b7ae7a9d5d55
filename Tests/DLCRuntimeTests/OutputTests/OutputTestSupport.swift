import DLCRuntime
import Foundation
import Testing

/// The suite that holds every test of `DLCRuntime/Output` (checkpoints and run files), so
/// `swift test --filter OutputTests` runs them all.
@Suite struct OutputTests {}

/// A fresh folder under the system's temporary folder for output tests, removed when the value
/// goes away.
final class OutputTestDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("dlc-output-tests-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The full path of `name` inside the folder.
    func file(_ name: String) -> String {
        path + "/" + name
    }

    /// The names in the folder, hidden ones included, sorted.
    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// The folder of the committed output fixtures, found from this source file's path because
/// the test target copies no resources.
let outputFixturesDirectory: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// The bytes of the output fixture `name`, or empty when it is missing.
func outputFixtureBytes(_ name: String) -> [UInt8] {
    (try? Data(contentsOf: URL(fileURLWithPath: outputFixturesDirectory + "/" + name))).map { [UInt8]($0) } ?? []
}

/// The bytes of the file at `path`, or nil when it cannot be read.
func outputFileBytes(_ path: String) -> [UInt8]? {
    (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) }
}

/// A safetensors file made by hand: the 8-byte little-endian length of `header`, `header`
/// itself (not padded), then `dataBytes` zero bytes.
func handMadeSafetensors(header: [UInt8], dataBytes: Int = 0, declaredLength: UInt64? = nil) -> [UInt8] {
    let length = declaredLength ?? UInt64(header.count)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    bytes += header
    bytes += [UInt8](repeating: 0, count: dataBytes)
    return bytes
}

/// `handMadeSafetensors` for a header given as text.
func handMadeSafetensors(_ header: String, dataBytes: Int = 0) -> [UInt8] {
    handMadeSafetensors(header: Array(header.utf8), dataBytes: dataBytes)
}

/// The `SafetensorsError` `body` throws, or nil when it returns or throws something else.
func outputSafetensorsError(_ body: () throws -> Void) -> SafetensorsError? {
    do {
        try body()
        return nil
    } catch {
        return error as? SafetensorsError
    }
}
