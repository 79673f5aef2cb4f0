import CCgroupsLinux
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How cgroups are mounted on this host.
public enum CgroupMode: String, Hashable, Sendable {
    /// cgroup v1 only: one hierarchy per controller under /sys/fs/cgroup.
    case legacy
    /// v1 controllers plus a cgroup2 hierarchy (usually /sys/fs/cgroup/unified)
    /// that holds the controllers v1 does not mount.
    case hybrid
    /// cgroup v2 only: /sys/fs/cgroup is a cgroup2 filesystem.
    case unified

    /// Detects the mode from the filesystem types under `root`, with
    /// statfs(2): a cgroup2 root is unified; a tmpfs root with a cgroup2
    /// `unified` below it is hybrid; otherwise legacy.
    public static func detect(root: FilePath = "/sys/fs/cgroup") throws(CgroupError) -> CgroupMode {
        var magic: Int64 = 0
        guard ccgroups_statfs_magic(root.string, &magic) == 0 else {
            throw CgroupError(.notFound, operation: "statfs", path: root, errno: Errno(rawValue: errno), detail: "no cgroup filesystem")
        }
        if magic == ccgroups_cgroup2_magic { return .unified }
        guard magic == ccgroups_tmpfs_magic || magic == ccgroups_cgroup_magic else {
            throw CgroupError(.notFound, operation: "statfs", path: root, detail: "neither cgroup2 nor a tmpfs of v1 hierarchies")
        }
        var unifiedMagic: Int64 = 0
        let unified = root.appending("unified")
        if ccgroups_statfs_magic(unified.string, &unifiedMagic) == 0, unifiedMagic == ccgroups_cgroup2_magic { return .hybrid }
        return .legacy
    }
}
