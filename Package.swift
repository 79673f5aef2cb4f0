// swift-tools-version: 6.2
//
// One package, many products: each library is vended on its own so a user can
// depend on just the piece they need. No product exposes another product's
// types, except Runc, which takes and returns OCISpec's models; importing one
// product pulls in no other but that.

import PackageDescription

/// Settings every target of ours shares: Swift 6 language mode (complete
/// strict concurrency) and no warnings.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "swift-container-primitives",
    products: [
        .library(name: "OCISpec", targets: ["OCISpec"]),
        .library(name: "OCISpecValidation", targets: ["OCISpecValidation"]),
        .executable(name: "oci-spec", targets: ["oci-spec"]),
        .library(name: "TTRPC", targets: ["TTRPC"]),
        .library(name: "Reaper", targets: ["Reaper"]),
        .library(name: "Runc", targets: ["Runc"]),
        .library(name: "Mount", targets: ["Mount"]),
        .library(name: "Cgroups", targets: ["Cgroups"]),
        .library(name: "Console", targets: ["Console"]),
        .executable(name: "containerd-shim-runc-v1", targets: ["containerd-shim-runc-v1"]),
        .executable(name: "containerd-shim-runc-v2", targets: ["containerd-shim-runc-v2"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // No traits: the default ones pull in Foundation, which a shim pays
        // for in memory (docs/ARCHITECTURE.md, "Build settings").
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Builds the DocC catalogs (`make docs`); used by no target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: The shared Linux layer (internal: no product vends it)
        .target(name: "CLinuxSupport", path: "Packages/LinuxSupport/Sources/CLinuxSupport"),
        .target(
            name: "LinuxSupport",
            dependencies: ["CLinuxSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/LinuxSupport/Sources/LinuxSupport",
            swiftSettings: strict
        ),

        // MARK: OCISpec
        .target(
            name: "OCISpec",
            dependencies: [.product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/OCISpec/Sources/OCISpec",
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CLibcap",
            path: "Packages/OCISpec/Sources/CLibcap",
            pkgConfig: "libcap",
            providers: [.apt(["libcap-dev"])]
        ),
        .systemLibrary(
            name: "CLibseccomp",
            path: "Packages/OCISpec/Sources/CLibseccomp",
            pkgConfig: "libseccomp",
            providers: [.apt(["libseccomp-dev"])]
        ),
        .target(
            name: "OCISpecValidation",
            dependencies: ["OCISpec", "CLibcap", "CLibseccomp"],
            path: "Packages/OCISpec/Sources/OCISpecValidation",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "oci-spec",
            dependencies: ["OCISpec", "OCISpecValidation"],
            path: "Apps/oci-spec",
            swiftSettings: strict
        ),
        // MARK: TTRPC
        .target(name: "CTTRPCLinux", path: "Packages/TTRPC/Sources/CTTRPCLinux"),
        .target(
            name: "TTRPC",
            dependencies: [
                "CTTRPCLinux", "LinuxSupport",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Packages/TTRPC/Sources/TTRPC",
            swiftSettings: strict
        ),

        // MARK: Reaper
        .target(name: "CReaperLinux", path: "Packages/Reaper/Sources/CReaperLinux"),
        .target(
            name: "Reaper",
            dependencies: ["CReaperLinux", "LinuxSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/Reaper/Sources/Reaper",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "reaper-scenarios",
            dependencies: ["Reaper", "Runc", "OCISpec"],
            path: "Tests/ReaperTests/Scenarios",
            swiftSettings: strict
        ),

        // MARK: Runc
        .target(
            name: "Runc",
            dependencies: ["OCISpec", "LinuxSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/Runc/Sources/Runc",
            swiftSettings: strict
        ),

        // MARK: Mount
        .systemLibrary(
            name: "CLibmount",
            path: "Packages/Mount/Sources/CLibmount",
            pkgConfig: "mount",
            providers: [.apt(["libmount-dev"])]
        ),
        .target(name: "CMountLinux", path: "Packages/Mount/Sources/CMountLinux"),
        .target(
            name: "Mount",
            dependencies: ["CLibmount", "CMountLinux", "LinuxSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/Mount/Sources/Mount",
            swiftSettings: strict
        ),

        // MARK: Cgroups
        .target(name: "CCgroupsLinux", path: "Packages/Cgroups/Sources/CCgroupsLinux"),
        .target(
            name: "Cgroups",
            dependencies: ["CCgroupsLinux", "LinuxSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/Cgroups/Sources/Cgroups",
            swiftSettings: strict
        ),

        // MARK: Console
        .target(name: "CConsoleLinux", path: "Packages/Console/Sources/CConsoleLinux"),
        .target(
            name: "Console",
            dependencies: ["CConsoleLinux", "LinuxSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Packages/Console/Sources/Console",
            swiftSettings: strict
        ),

        // MARK: The shim
        .systemLibrary(name: "CMalloc", path: "Apps/runc-shim/CMalloc"),
        // Everything of the shim but `main`: the two binaries below differ
        // only in the contract they announce (runc.v1: one container per
        // shim; runc.v2: a group of containers per shim, task API v2 and v3).
        .target(
            name: "RuncShim",
            dependencies: [
                "TTRPC", "Reaper", "Runc", "Mount", "OCISpec", "Cgroups", "Console", "CMalloc", "LinuxSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Apps/runc-shim",
            exclude: ["Protos", "CMalloc", "Main"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "containerd-shim-runc-v1",
            dependencies: ["RuncShim"],
            path: "Apps/runc-shim/Main/v1",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "containerd-shim-runc-v2",
            dependencies: ["RuncShim"],
            path: "Apps/runc-shim/Main/v2",
            swiftSettings: strict
        ),

        // MARK: Fuzzing (scripts/fuzz-ttrpc builds it with -sanitize=fuzzer -DFUZZING)
        .executableTarget(
            name: "ttrpc-fuzz",
            dependencies: ["TTRPC", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Fuzz/TTRPCFuzz",
            swiftSettings: strict
        ),

        // MARK: Benchmarks (not products; run by bench/run)
        .executableTarget(
            name: "ocispec-bench",
            dependencies: ["OCISpec"],
            path: "bench/OCISpecBench",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "ttrpc-bench",
            dependencies: ["TTRPC", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "bench/TTRPCBench",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "reaper-bench",
            dependencies: ["Reaper"],
            path: "bench/ReaperBench",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "mount-bench",
            dependencies: ["Mount"],
            path: "bench/MountBench",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "cgroups-bench",
            dependencies: ["Cgroups", .product(name: "SystemPackage", package: "swift-system")],
            path: "bench/CgroupsBench",
            swiftSettings: strict
        ),

        .executableTarget(
            name: "console-bench",
            dependencies: ["Console", "CConsoleLinux"],
            path: "bench/ConsoleBench",
            swiftSettings: strict
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["LinuxSupport"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "OCISpecTests",
            dependencies: ["OCISpec", "OCISpecValidation", "TestSupport", "oci-spec"],
            path: "Tests/OCISpecTests",
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LinuxSupportTests",
            dependencies: ["LinuxSupport", "TestSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Tests/LinuxSupportTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MountTests",
            dependencies: ["Mount", "TestSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Tests/MountTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReaperTests",
            dependencies: ["TestSupport", "OCISpec", "reaper-scenarios"],
            path: "Tests/ReaperTests",
            exclude: ["Scenarios"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CgroupsTests",
            dependencies: ["Cgroups", "LinuxSupport", "TestSupport", .product(name: "SystemPackage", package: "swift-system")],
            path: "Tests/CgroupsTests",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "console-scenarios",
            dependencies: ["Console", "CConsoleLinux"],
            path: "Tests/ConsoleTests/Scenarios",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "Console", "CConsoleLinux", "LinuxSupport", "TestSupport", "OCISpec", "console-scenarios",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/ConsoleTests",
            exclude: ["Scenarios"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RuncTests",
            dependencies: ["Runc", "OCISpec", "TestSupport"],
            path: "Tests/RuncTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ShimTests",
            dependencies: [
                "TestSupport", "TTRPC", "RuncShim", "LinuxSupport", "containerd-shim-runc-v1", "containerd-shim-runc-v2",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Tests/ShimTests",
            exclude: ["GoClient"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PodTests",
            dependencies: ["TestSupport", "containerd-shim-runc-v2"],
            path: "Tests/PodTests",
            exclude: ["CRI", "Pause"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TTRPCTests",
            dependencies: ["TTRPC", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Tests/TTRPCTests",
            exclude: ["Protos", "GoPeer"],
            swiftSettings: strict
        ),
    ]
)
