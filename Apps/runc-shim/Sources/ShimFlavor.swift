/// Which containerd runtime contract a shim binary speaks. Both serve the
/// same task service; they differ in how containers map to shims and in
/// what they announce.
package enum ShimFlavor: Sendable {
    /// `io.containerd.runc.v1` (containerd 1.6 and 1.7): one container per
    /// shim; Shutdown ends the shim once its container has no live process.
    case v1
    /// `io.containerd.runc.v2` (containerd 1.6, 1.7 and 2.x; CRI's default):
    /// the containers of a group (annotation `io.containerd.runc.v2.group`,
    /// else CRI's `io.kubernetes.cri.sandbox-id`, else the container's own
    /// id) share one shim, which serves task API v2 and v3 and ends only
    /// once no container is left.
    case v2

    /// The flavor a program name (argv[0], a path or a bare name) asks for,
    /// if its last component ends like one of the two binaries.
    init?(programName: String) {
        let name = programName.split(separator: "/").last.map(String.init) ?? programName
        if name.hasSuffix("-runc-v2") {
            self = .v2
        } else if name.hasSuffix("-runc-v1") {
            self = .v1
        } else {
            return nil
        }
    }

    /// The binary's name, as containerd looks it up in PATH.
    var binaryName: String {
        switch self {
        case .v1: "containerd-shim-runc-v1"
        case .v2: "containerd-shim-runc-v2"
        }
    }

    /// The runtime's name in containerd's configuration.
    var runtimeName: String {
        switch self {
        case .v1: "io.containerd.runc.v1"
        case .v2: "io.containerd.runc.v2"
        }
    }

    /// The OCI annotations that name a container's group, first match wins.
    var groupAnnotations: [String] {
        switch self {
        case .v1: []
        case .v2: ["io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id"]
        }
    }

    /// The task service names served: `containerd.task.v3.Task` carries the
    /// same messages as v2 (containerd 2.x asks for it when told version 3).
    var taskServiceNames: [String] {
        switch self {
        case .v1: [ShimTaskMethods.serviceName]
        case .v2: [ShimTaskMethods.serviceName, "containerd.task.v3.Task"]
        }
    }
}
