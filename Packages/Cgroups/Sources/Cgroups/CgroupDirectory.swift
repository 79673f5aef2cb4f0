import CCgroupsLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An open cgroup directory (O_PATH, O_CLOEXEC) for reading many of its
/// files with openat(2): a statistics snapshot walks the long cgroupfs path
/// once instead of once per file. Closed on deinit.
final class CgroupDirectory {
    let path: FilePath
    private let fd: Int32

    init(_ path: FilePath) {
        self.path = path
        fd = path.withPlatformString { open($0, ccgroups_o_path | O_DIRECTORY | O_CLOEXEC) }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The file's contents, or nil when it does not exist.
    func readIfPresent(_ name: String) throws(CgroupError) -> String? {
        try CgroupFile.readIfPresent(path.appending(name), directory: fd >= 0 ? fd : nil)
    }

    func read(_ name: String) throws(CgroupError) -> String {
        guard let text = try readIfPresent(name) else {
            throw CgroupError(.notFound, operation: "read", path: path.appending(name), errno: .noSuchFileOrDirectory)
        }
        return text
    }

    func readUInt64(_ name: String) throws(CgroupError) -> UInt64 {
        try CgroupFile.parseUInt64(try read(name), path: path.appending(name))
    }

    func readUInt64IfPresent(_ name: String) throws(CgroupError) -> UInt64? {
        guard let text = try readIfPresent(name) else { return nil }
        return try CgroupFile.parseUInt64(text, path: path.appending(name))
    }

    func flat(_ name: String) throws(CgroupError) -> [String: UInt64] {
        KeyedFile.flat(try read(name))
    }
}
