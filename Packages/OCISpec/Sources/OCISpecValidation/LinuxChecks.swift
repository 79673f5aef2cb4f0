import OCISpec

/// Checks of `linux`, except resources and seccomp.
enum LinuxChecks {
    static let propagations: Set<String> = [
        "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
    ]

    static func check(_ linux: Linux, process: ProcessSpec?, into problems: inout ProblemList) {
        let namespaces = checkNamespaces(linux.namespaces ?? [], into: &problems)
        checkMappings(linux.uidMappings ?? [], at: "linux.uidMappings", into: &problems)
        checkMappings(linux.gidMappings ?? [], at: "linux.gidMappings", into: &problems)
        let hasMappings = !(linux.uidMappings ?? []).isEmpty || !(linux.gidMappings ?? []).isEmpty
        if hasMappings, !namespaces.contains(.user) {
            problems.add("linux.uidMappings", .conflict, "id mappings need a user namespace in linux.namespaces")
        }
        if linux.timeOffsets != nil, !namespaces.contains(.time) {
            problems.add("linux.timeOffsets", .conflict, "time offsets need a time namespace in linux.namespaces")
        }
        for (key, _) in linux.timeOffsets ?? [:] where key != "monotonic" && key != "boottime" {
            problems.add("linux.timeOffsets.\(key)", .unknownName, "time namespaces offset only monotonic and boottime")
        }
        for (index, device) in (linux.devices ?? []).enumerated() {
            checkDevice(device, at: "linux.devices[\(index)]", into: &problems)
        }
        if let resources = linux.resources {
            ResourceChecks.check(resources, at: "linux.resources", into: &problems)
        }
        if let seccomp = linux.seccomp {
            SeccompChecks.check(seccomp, into: &problems)
        }
        if let propagation = linux.rootfsPropagation, !propagations.contains(propagation) {
            problems.add("linux.rootfsPropagation", .invalidValue, "must be private, shared, slave or unbindable, got \"\(propagation)\"")
        }
        for (name, list) in [("maskedPaths", linux.maskedPaths), ("readonlyPaths", linux.readonlyPaths)] {
            for (index, path) in (list ?? []).enumerated() {
                problems.requireAbsolute("linux.\(name)[\(index)]", path, what: "a path")
            }
        }
        for key in (linux.sysctl ?? [:]).keys.sorted() where key.isEmpty || key.contains("/") || key.hasPrefix(".") {
            problems.add("linux.sysctl.\(key)", .invalidValue, "a sysctl key is dotted, like net.ipv4.ip_forward")
        }
        if let personality = linux.personality, !personality.domain.isKnown {
            problems.add("linux.personality.domain", .unknownName, "unknown personality domain \"\(personality.domain)\"")
        }
        if let policy = linux.memoryPolicy {
            checkMemoryPolicy(policy, into: &problems)
        }
        if let closID = linux.intelRdt?.closID, closID.contains("/") || closID == "." || closID == ".." {
            problems.add("linux.intelRdt.closID", .invalidValue, "must be a plain directory name, got \"\(closID)\"")
        }
        for name in (linux.netDevices ?? [:]).keys.sorted() where !isInterfaceName(name) {
            problems.add("linux.netDevices.\(name)", .invalidValue, "not a network interface name")
        }
        for (name, device) in (linux.netDevices ?? [:]) {
            if let inside = device.name, !isInterfaceName(inside) {
                problems.add("linux.netDevices.\(name).name", .invalidValue, "not a network interface name: \"\(inside)\"")
            }
        }
    }

    /// Returns the namespace types present, after reporting duplicates.
    private static func checkNamespaces(_ namespaces: [LinuxNamespace], into problems: inout ProblemList) -> Set<NamespaceType> {
        var seen: [NamespaceType: Int] = [:]
        for (index, namespace) in namespaces.enumerated() {
            let path = "linux.namespaces[\(index)]"
            if !namespace.type.isKnown {
                problems.add("\(path).type", .unknownName, "unknown namespace type \"\(namespace.type)\"")
            }
            if let first = seen[namespace.type] {
                problems.add("\(path).type", .duplicate, "namespace \"\(namespace.type)\" is already listed at linux.namespaces[\(first)]")
            } else {
                seen[namespace.type] = index
            }
            if let nsPath = namespace.path {
                problems.requireAbsolute("\(path).path", nsPath, what: "a namespace path")
            }
        }
        return Set(seen.keys)
    }

    static func checkMappings(_ mappings: [LinuxIDMapping], at path: String, into problems: inout ProblemList) {
        for (index, mapping) in mappings.enumerated() {
            if mapping.size == 0 {
                problems.add("\(path)[\(index)].size", .outOfRange, "a mapping must map at least one id")
            }
            if UInt64(mapping.containerID) + UInt64(mapping.size) > 1 << 32 || UInt64(mapping.hostID) + UInt64(mapping.size) > 1 << 32 {
                problems.add("\(path)[\(index)]", .outOfRange, "the mapped range passes 2^32")
            }
        }
    }

    private static func checkDevice(_ device: LinuxDevice, at path: String, into problems: inout ProblemList) {
        problems.requireAbsolute("\(path).path", device.path, what: "a device path")
        if !["c", "b", "u", "p"].contains(device.type) {
            problems.add("\(path).type", .invalidValue, "must be c, b, u or p, got \"\(device.type)\"")
        }
        if device.type == "p", device.major != 0 || device.minor != 0 {
            problems.add(path, .conflict, "a FIFO has no major or minor number")
        }
        if device.major < 0 || device.minor < 0 {
            problems.add(path, .outOfRange, "major and minor must not be negative")
        }
        if let mode = device.fileMode, mode > 0o7777 {
            problems.add("\(path).fileMode", .outOfRange, "permission bits must be at most 07777 (4095), got \(mode)")
        }
    }

    private static func checkMemoryPolicy(_ policy: LinuxMemoryPolicy, into problems: inout ProblemList) {
        if !policy.mode.isKnown {
            problems.add("linux.memoryPolicy.mode", .unknownName, "unknown memory policy mode \"\(policy.mode)\"")
        }
        let takesNoNodes = policy.mode == .default || policy.mode == .local
        if takesNoNodes, !policy.nodes.isEmpty {
            problems.add("linux.memoryPolicy.nodes", .conflict, "\(policy.mode) takes no nodes")
        } else if !takesNoNodes, policy.mode.isKnown, ListSyntax.numbers(in: policy.nodes) == nil {
            problems.add("linux.memoryPolicy.nodes", .invalidValue, "not a node list like 0-3,7: \"\(policy.nodes)\"")
        }
        for (index, flag) in (policy.flags ?? []).enumerated() where !flag.isKnown {
            problems.add("linux.memoryPolicy.flags[\(index)]", .unknownName, "unknown memory policy flag \"\(flag)\"")
        }
    }

    private static func isInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count < 16 && name != "." && name != ".." && !name.contains("/") && !name.contains(" ")
    }
}
