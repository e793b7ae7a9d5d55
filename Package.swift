// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// The runtime's kernels are compiled for AVX2 and FMA (`-target-cpu haswell`) when the machine that
/// builds has them, like a native build; `DLC_PORTABLE=1` builds for any x86-64 instead.
let buildsForAVX2: Bool = {
    #if arch(x86_64)
    guard ProcessInfo.processInfo.environment["DLC_PORTABLE"] == nil,
          let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
    let flags = Set(cpu.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
    return flags.contains("avx2") && flags.contains("fma")
    #else
    return false
    #endif
}()
let runtimeFlags = ["-Ounchecked"] + (buildsForAVX2 ? ["-target-cpu", "haswell"] : [])

let package = Package(
    name: "dlc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dlc", targets: ["dlc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // OpenBLAS behind a small C interface, loaded on first use (dlopen): `dlc check` never loads it.
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("dl")]),
        // oneDNN's convolutions behind a small C interface, loaded on first use (dlopen).
        .target(name: "CDNNL", linkerSettings: [.linkedLibrary("dl")]),
        // Open MPI behind a small C interface, loaded (dlopen) only under a launcher: dlc builds and
        // runs without MPI, and `mpirun -n N dlc run` trains data-parallel.
        .target(name: "CMPI", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "DLCDiagnostics"),
        .target(name: "DLCSpec", dependencies: ["DLCDiagnostics", "CYAML"]),
        .target(name: "DLCData", dependencies: ["CZlib"]),
        .target(name: "DLCCheck", dependencies: ["DLCSpec", "DLCData", "DLCDiagnostics"]),
        .target(name: "DLCGraph"),
        .target(name: "DLCCompile", dependencies: ["DLCCheck", "DLCGraph", "DLCSpec", "DLCData"]),
        .target(
            name: "DLCRuntime",
            dependencies: ["DLCGraph", "DLCData", "CBLAS", "CDNNL"],
            swiftSettings: [.unsafeFlags(runtimeFlags)]
        ),
        // ONNX export: reads an inference graph and its parameters, writes ONNX's own protobuf
        // (`Generated/onnx.pb.swift`, made from `Proto/onnx.proto` by `Proto/regenerate.sh`).
        .target(
            name: "DLCExport",
            dependencies: ["DLCGraph", "DLCData", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto"]
        ),
        // The HTML report: reads run and sweep folders, writes pages; executes nothing.
        .target(name: "DLCReport", dependencies: ["DLCRuntime"]),
        .executableTarget(
            name: "dlc",
            dependencies: [
                "DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics", "DLCGraph", "DLCCompile", "DLCRuntime", "DLCReport", "DLCExport", "CMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]
        ),
        .testTarget(name: "DLCDiagnosticsTests", dependencies: ["DLCDiagnostics"]),
        .testTarget(name: "DLCSpecTests", dependencies: ["DLCSpec"]),
        .testTarget(name: "DLCGraphTests", dependencies: ["DLCGraph"]),
        .testTarget(
            name: "DLCCompileTests",
            dependencies: ["DLCCompile", "DLCGraph", "DLCCheck", "DLCSpec", "DLCRuntime", "DLCData"],
            exclude: ["Reference", "Golden"]
        ),
        .testTarget(name: "DLCRuntimeTests", dependencies: ["DLCRuntime", "DLCGraph", "DLCData"], exclude: ["Reference", "OutputTests/Fixtures"]),
        .testTarget(name: "DLCReportTests", dependencies: ["DLCReport", "DLCRuntime"]),
        .testTarget(name: "DLCExportTests", dependencies: ["DLCExport", "DLCGraph", "DLCData"]),
        .testTarget(name: "DLCDataTests", dependencies: ["DLCData"], exclude: ["Reference"], resources: [.copy("Fixtures")]),
        // Faults a user meets (a full disk, signals, memory limits, edited checkpoints), against the built `dlc`.
        .testTarget(name: "DLCFaultTests", dependencies: ["dlc", "DLCRuntime"]),
        // The fuzz targets' code (shared with the libFuzzer build, `Fuzz/build.sh`) replaying the
        // corpus and every input that once failed.
        .testTarget(
            name: "DLCFuzzReplayTests",
            dependencies: ["dlc", "DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics", "DLCRuntime", "CZlib"],
            path: "Fuzz",
            exclude: ["Entry", "Corpus", "Regressions", "Seeds", "build", "runs", "build.sh", "run.sh", "make_seeds.py", "lsan.supp", "coverage.sh", "README.md"],
            sources: ["Targets", "Replay"]
        ),
        .testTarget(
            name: "DLCCheckTests",
            dependencies: ["DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics"],
            exclude: ["Golden"]
        ),
    ]
)
