import Foundation

/// The containerd releases the shim is tested under: Debian 12's installed
/// 1.6, and trixie's 1.7 and sid's 2.x that `scripts/fetch-containerd`
/// (run by install-deps) extracts under `.build-containerd/`.
public enum ContainerdRelease: String, CaseIterable, Sendable, CustomStringConvertible {
    case bookworm, trixie, sid

    /// The directory of its `containerd`, `ctr` and Go shims; nil for the installed one.
    public var binaries: String? {
        guard self != .bookworm else { return nil }
        return Self.checkout + "/.build-containerd/\(rawValue)/usr/bin"
    }

    /// Its Go runc.v2 shim, the reference ours is compared with.
    public var goShimV2: String { (binaries ?? "/usr/bin") + "/containerd-shim-runc-v2" }

    /// Whether its binaries are there (install-deps fetched them).
    public var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: (binaries ?? "/usr/bin") + "/containerd")
    }

    public var description: String {
        switch self {
        case .bookworm: "containerd 1.6 (bookworm)"
        case .trixie: "containerd 1.7 (trixie)"
        case .sid: "containerd 2.x (sid)"
        }
    }

    /// The repository's root: the nearest directory above the test binary with a Package.swift.
    static let checkout: String = {
        var directory = URL(fileURLWithPath: BuiltProduct.path("containerd-shim-runc-v1")).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory.path }
            directory = directory.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }()
}
