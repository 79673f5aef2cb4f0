import OCISpec

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The bundle's `config.json`, read with OCISpec and rewritten for this run:
/// the root is the overlay, the cgroup is ours, the command and terminal
/// are as the command line says.
struct BundleConfig {
    var spec: Spec
    /// The bundle's rootfs, absolute.
    var rootfs: String

    /// Reads `<bundle>/config.json`.
    static func load(bundle: String) throws(RunError) -> BundleConfig {
        guard let resolved = realpath(bundle, nil) else {
            throw RunError.failed("no bundle at \(bundle): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: resolved)
        free(resolved)
        let spec: Spec
        do {
            spec = try Spec.load(from: .init(directory + "/config.json"))
        } catch {
            throw RunError.failed("cannot read \(directory)/config.json: \(error)")
        }
        guard let root = spec.root?.path, !root.isEmpty else { throw RunError.failed("\(directory)/config.json has no root.path") }
        guard spec.process != nil else { throw RunError.failed("\(directory)/config.json has no process") }
        return BundleConfig(spec: spec, rootfs: root.hasPrefix("/") ? root : directory + "/" + root)
    }

    /// Whether the container gets a terminal.
    func wantsTerminal(_ override: Bool?) -> Bool { override ?? spec.process?.terminal ?? false }

    /// The config for runc: root at `rootfs`, in cgroup `cgroupPath`, running `command` if given.
    func rewritten(rootfs: String, cgroupPath: String, command: [String], terminal: Bool) -> Spec {
        var spec = self.spec
        spec.root?.path = rootfs
        if !command.isEmpty { spec.setArgs(command) }
        spec.process?.terminal = terminal
        if spec.linux == nil { spec.linux = Linux() }
        spec.linux?.cgroupsPath = cgroupPath
        return spec
    }
}
