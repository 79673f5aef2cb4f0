import OCISpec

/// Checks of a `mounts` entry.
enum MountChecks {
    /// Propagation and flag options runc and the kernel recognise; filesystem
    /// data options (`mode=755`, `size=64m`) are passed through unchecked.
    static func check(_ mount: Mount, at path: String, into problems: inout ProblemList) {
        problems.requireAbsolute("\(path).destination", mount.destination, what: "a mount destination")
        if mount.destination.split(separator: "/").contains("..") {
            problems.add("\(path).destination", .invalidValue, "must not contain \"..\": \"\(mount.destination)\"")
        }
        let options = mount.options ?? []
        let isBind = mount.type == "bind" || options.contains("bind") || options.contains("rbind")
        if isBind, (mount.source ?? "").isEmpty {
            problems.add("\(path).source", .missingField, "a bind mount needs a source")
        }
        if mount.type == nil, !isBind {
            problems.add("\(path).type", .missingField, "a mount that is not a bind mount needs a type")
        }
        for (index, option) in options.enumerated() where option.isEmpty {
            problems.add("\(path).options[\(index)]", .invalidValue, "empty mount option")
        }
        if (mount.uidMappings == nil) != (mount.gidMappings == nil) {
            problems.add(path, .conflict, "an id-mapped mount needs both uidMappings and gidMappings")
        }
        for (name, list) in [("uidMappings", mount.uidMappings), ("gidMappings", mount.gidMappings)] {
            LinuxChecks.checkMappings(list ?? [], at: "\(path).\(name)", into: &problems)
        }
    }
}
