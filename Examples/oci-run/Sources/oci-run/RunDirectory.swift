import Mount

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `/run/oci-run/<id>`: what one run keeps while the container lives: the
/// config runc reads, the init's pid file, and the root filesystem, an
/// overlay whose lower layer is the bundle's rootfs and whose upper layer
/// and work directory are here, so the container's writes never reach the
/// bundle. Everything in it is removed by ``remove()``.
struct RunDirectory {
    static let parent = "/run/oci-run"

    let path: String
    var rootfs: String { path + "/rootfs" }
    var config: String { path + "/config.json" }
    var pidFile: String { path + "/init.pid" }

    /// Creates the directory (0700); an existing one means the id is in use.
    static func create(id: String) throws(RunError) -> RunDirectory {
        mkdir(parent, 0o755)
        let directory = RunDirectory(path: parent + "/" + id)
        guard mkdir(directory.path, 0o700) == 0 else {
            let reason = errno == EEXIST ? "the id is in use (or a run ended without cleaning up)" : String(cString: strerror(errno))
            throw RunError.failed("cannot create \(directory.path): \(reason)")
        }
        return directory
    }

    /// Mounts `lower` (the bundle's rootfs) read-only under a writable upper
    /// layer at ``rootfs`` (mount(2) of overlayfs, through libmount).
    func mountRootfs(lower: String) throws(RunError) {
        for name in ["rootfs", "upper", "work"] where mkdir(path + "/" + name, 0o755) != 0 {
            throw RunError.failed("cannot create \(path)/\(name): \(String(cString: strerror(errno)))")
        }
        let overlay = FilesystemMount(
            type: "overlay", source: "overlay", target: rootfs,
            options: ["lowerdir=\(lower)", "upperdir=\(path)/upper", "workdir=\(path)/work"])
        do {
            try Mounter.mount(overlay)
        } catch {
            throw RunError.failed("cannot mount the root filesystem: \(error)")
        }
    }

    /// Unmounts the rootfs (whatever is still mounted below it, deepest
    /// first) and removes the directory and everything in it.
    func remove() throws(RunError) {
        do {
            try Mounter.unmountRecursive(rootfs)
        } catch {
            throw RunError.failed("cannot unmount \(rootfs): \(error)")
        }
        Self.removeTree(path)
    }

    /// rm -r without following symlinks (the upper layer holds the container's files).
    private static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR, let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { removeTree(path + "/" + name) }
            }
            closedir(directory)
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
