import DLCCheck
#if canImport(dlc)
@testable import dlc
#endif
import DLCDiagnostics
import DLCSpec
import Foundation

/// Spec text through everything `dlc check` does: YAML parsing (libyaml), decoding, `--set`
/// overrides, shape inference, sweeps, the data checks (against the fixtures only), and every
/// report format, layer and feature tables included.
enum SpecTarget {
    static func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        var loaded = SpecLoader.load(bytes: bytes, path: "fuzz.yaml")
        loaded.baseDirectory = FuzzSupport.fixtureSpecFolder
        var options = CheckOptions()
        options.readsData = loaded.spec.map(readsOnlyFixtures) ?? false
        let result = Checker.check(loaded, options: options)
        for format in DiagnosticFormat.allCases {
            for quiet in [false, true] {
                _ = CheckReport(results: [result], format: format, quiet: quiet, color: !quiet).render()
            }
        }
    }
}

/// Whether every data file the spec names is a fixture (builtin sets need none).
private func readsOnlyFixtures(_ spec: Spec) -> Bool {
    guard let data = spec.data else { return true }
    var sources: [DataSourceSpec] = []
    if let train = data.train?.value { sources.append(train) }
    for split in [data.validation?.value, data.test?.value] {
        if case .source(let source)? = split { sources.append(source) }
    }
    return sources.allSatisfy { source in
        switch source {
        case .csv(let path, _, _): FuzzSupport.isFixture(path.value)
        case .idx(let images, let labels): FuzzSupport.isFixture(images.value) && FuzzSupport.isFixture(labels.value)
        case .builtin: true
        }
    }
}
