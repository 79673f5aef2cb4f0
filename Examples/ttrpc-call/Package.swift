// swift-tools-version: 6.2
//
// ttrpc-call: call any method of a ttrpc server (a containerd shim,
// containerd's own ttrpc socket) with a JSON request and print the reply as
// JSON. Built from one product of swift-container-primitives, TTRPC, and
// swift-protobuf's descriptor types.

import PackageDescription

let package = Package(
    name: "ttrpc-call",
    dependencies: [
        // In your own package: .package(url: "https://github.com/<owner>/swift-container-primitives", branch: "main")
        .package(name: "swift-container-primitives", path: "../.."),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "ttrpc-call",
            dependencies: [
                .product(name: "TTRPC", package: "swift-container-primitives"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]
        ),
        .testTarget(
            name: "TTRPCCallTests",
            // The tool is run as a program; TTRPC serves the events socket the shim publishes to.
            dependencies: ["ttrpc-call", .product(name: "TTRPC", package: "swift-container-primitives")],
            swiftSettings: [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]
        ),
    ]
)
