/// Edits tools commonly make to a config before handing it to a runtime.
///
/// ```swift
/// var spec = try Spec.load(from: "bundle/config.json")
/// spec.setArgs(["/bin/sh", "-c", "echo hello"])
/// spec.setEnv("TERM", "xterm")
/// spec.addMount(Mount(destination: "/data", type: "bind", source: "/srv/data", options: ["rbind", "ro"]))
/// spec.addNamespace(.network, path: "/var/run/netns/blue")
/// spec.setResources(LinuxResources(memory: LinuxMemory(limit: 64 << 20)))
/// try spec.write(to: "bundle/config.json")
/// ```
extension Spec {
    /// Sets `process.args`, creating `process` (cwd `/`) when absent.
    public mutating func setArgs(_ args: [String]) {
        withProcess { $0.args = args }
    }

    /// Sets `NAME=value` in `process.env`, replacing an existing entry for
    /// the same name in place and appending otherwise.
    public mutating func setEnv(_ name: String, _ value: String) {
        withProcess { process in
            var env = process.env ?? []
            let entry = "\(name)=\(value)"
            if let index = env.firstIndex(where: { Self.envName($0) == name }) {
                env[index] = entry
            } else {
                env.append(entry)
            }
            process.env = env
        }
    }

    /// Removes every entry for `name` from `process.env`.
    public mutating func removeEnv(_ name: String) {
        guard process?.env != nil else { return }
        withProcess { $0.env?.removeAll { Self.envName($0) == name } }
    }

    /// The value of `name` in `process.env`, if set.
    public func env(_ name: String) -> String? {
        guard let entry = process?.env?.last(where: { Self.envName($0) == name }) else { return nil }
        return String(entry.dropFirst(name.utf8.count + 1))
    }

    /// Adds a mount; one already at the same destination is replaced in place,
    /// since the later of two mounts at one path would hide the earlier.
    public mutating func addMount(_ mount: Mount) {
        var list = mounts ?? []
        if let index = list.firstIndex(where: { $0.destination == mount.destination }) {
            list[index] = mount
        } else {
            list.append(mount)
        }
        mounts = list
    }

    /// Removes the mounts at `destination`; returns how many there were.
    @discardableResult
    public mutating func removeMount(destination: String) -> Int {
        guard var list = mounts else { return 0 }
        let before = list.count
        list.removeAll { $0.destination == destination }
        mounts = list
        return before - list.count
    }

    /// Sets `linux.resources`, creating `linux` when absent.
    public mutating func setResources(_ resources: LinuxResources?) {
        withLinux { $0.resources = resources }
    }

    /// Adds a namespace to create (no path) or join (with a path); an entry of
    /// the same type is replaced, since a type may appear only once.
    public mutating func addNamespace(_ type: NamespaceType, path: String? = nil) {
        withLinux { linux in
            var list = linux.namespaces ?? []
            let entry = LinuxNamespace(type: type, path: path)
            if let index = list.firstIndex(where: { $0.type == type }) {
                list[index] = entry
            } else {
                list.append(entry)
            }
            linux.namespaces = list
        }
    }

    /// Removes the namespace of `type`, so the container shares the host's.
    public mutating func removeNamespace(_ type: NamespaceType) {
        guard linux?.namespaces != nil else { return }
        withLinux { $0.namespaces?.removeAll { $0.type == type } }
    }

    /// Sets an annotation.
    public mutating func setAnnotation(_ key: String, _ value: String) {
        var map = annotations ?? [:]
        map[key] = value
        annotations = map
    }

    private mutating func withProcess(_ edit: (inout ProcessSpec) -> Void) {
        var value = process ?? ProcessSpec(cwd: "/")
        edit(&value)
        process = value
    }

    private mutating func withLinux(_ edit: (inout Linux) -> Void) {
        var value = linux ?? Linux()
        edit(&value)
        linux = value
    }

    private static func envName(_ entry: String) -> Substring {
        entry.prefix { $0 != "=" }
    }
}
