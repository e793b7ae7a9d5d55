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
        .target(name: "DLCDiagnostics"),
        .target(name: "DLCSpec", dependencies: ["DLCDiagnostics", "CYAML"]),
        .target(name: "DLCData", dependencies: ["CZlib"]),
        .target(name: "DLCCheck", dependencies: ["DLCSpec", "DLCData", "DLCDiagnostics"]),
        .executableTarget(
            name: "dlc",
            dependencies: [
                "DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DLCDiagnosticsTests", dependencies: ["DLCDiagnostics"]),
        .testTarget(name: "DLCSpecTests", dependencies: ["DLCSpec"]),
        .testTarget(name: "DLCDataTests", dependencies: ["DLCData"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DLCCheckTests",
            dependencies: ["DLCCheck", "DLCSpec", "DLCData", "DLCDiagnostics"],
            exclude: ["Golden"]
        ),
    ]
)
