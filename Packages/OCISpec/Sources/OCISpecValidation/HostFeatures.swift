import OCISpec

/// This host's answer to the runtime-spec features document, for the parts a
/// library can know: capabilities from libcap, seccomp from libseccomp,
/// namespaces from /proc/self/ns. Comparable to `runc features`, whose other
/// parts describe runc itself.
public enum HostFeatures {
    /// The namespace files of /proc/self/ns and the OCI type each means.
    private static let namespaceFiles: [(file: String, type: NamespaceType)] = [
        ("cgroup", .cgroup), ("ipc", .ipc), ("mnt", .mount), ("net", .network),
        ("pid", .pid), ("time", .time), ("user", .user), ("uts", .uts),
    ]

    /// Builds the report.
    public static func report() -> Features {
        let seccomp = FeaturesSeccomp(
            enabled: true,
            actions: Libseccomp.supportedActions(),
            operators: SeccompOperator.known,
            archs: SeccompArch.known.filter { Libseccomp.architectureToken($0) != nil },
            knownFlags: SeccompFlag.known,
            supportedFlags: Libseccomp.supportedFlags()
        )
        let namespaces = namespaceFiles.filter { DocumentFileProbe.exists("/proc/self/ns/\($0.file)") }.map(\.type)
        let linux = FeaturesLinux(
            namespaces: namespaces.sorted { $0.rawValue < $1.rawValue },
            capabilities: Libcap.hostCapabilities().map(Capability.init(rawValue:)),
            seccomp: seccomp
        )
        return Features(
            ociVersionMin: "1.0.0",
            ociVersionMax: Spec.currentVersion,
            hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
            linux: linux,
            annotations: [
                "io.github.seccomp.libseccomp.version": Libseccomp.version,
                "io.github.seccomp.libseccomp.api": String(Libseccomp.apiLevel),
            ]
        )
    }
}

/// Existence checks with access(2).
enum DocumentFileProbe {
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
