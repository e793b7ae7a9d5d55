// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "dlc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dlc", targets: ["dlc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
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
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "DLCDiagnostics"),
        .target(name: "DLCSpec", dependencies: ["DLCDiagnostics", "CYAML"]),
        .target(name: "DLCData", dependencies: ["CZlib"]),
        .target(name: "DLCCheck", dependencies: ["DLCSpec", "DLCData", "DLCDiagnostics"]),
        .target(name: "DLCGraph"),
        .target(name: "DLCCompile", dependencies: ["DLCCheck", "DLCGraph", "DLCSpec", "DLCData"]),
        .target(
            name: "DLCRuntime",
            dependencies: ["DLCGraph", "DLCData", "CBLAS"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        ),
        .executableTarget(
            name: "dlc",
            dependencies: [
                "DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics", "DLCGraph", "DLCCompile", "DLCRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
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
        .testTarget(name: "DLCDataTests", dependencies: ["DLCData"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DLCCheckTests",
            dependencies: ["DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics"],
            exclude: ["Golden"]
        ),
    ]
)
