// swift-tools-version: 6.2
//
// oci-run: run the container of an OCI bundle in the foreground, without
// containerd. Built from five products of swift-container-primitives: Runc
// (with OCISpec, whose models it takes), Reaper, Console, Cgroups and Mount.

import PackageDescription

let package = Package(
    name: "oci-run",
    dependencies: [
        // In your own package: .package(url: "https://github.com/<owner>/swift-container-primitives", branch: "main")
        .package(name: "swift-container-primitives", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "oci-run",
            dependencies: [
                .product(name: "Runc", package: "swift-container-primitives"),
                .product(name: "OCISpec", package: "swift-container-primitives"),
                .product(name: "Reaper", package: "swift-container-primitives"),
                .product(name: "Console", package: "swift-container-primitives"),
                .product(name: "Cgroups", package: "swift-container-primitives"),
                .product(name: "Mount", package: "swift-container-primitives"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]
        ),
        .testTarget(
            name: "OCIRunTests",
            // The tool is run as a program, through the Reaper; Console gives the terminal test
            // its pty; OCISpec writes the test bundle's config.
            dependencies: [
                "oci-run",
                .product(name: "Reaper", package: "swift-container-primitives"),
                .product(name: "Console", package: "swift-container-primitives"),
                .product(name: "OCISpec", package: "swift-container-primitives"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6), .treatAllWarnings(as: .error)]
        ),
    ]
)
