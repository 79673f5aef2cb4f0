import CLibmount
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One line of /proc/self/mountinfo, as libmount parses it (octal escapes
/// such as `\040` decoded).
public struct MountInfo: Hashable, Sendable {
    /// The mount's unique id (first field of mountinfo).
    public var id: Int32
    /// The id of the parent mount.
    public var parentID: Int32
    /// The mount's root within its filesystem.
    public var root: String
    /// The mount point.
    public var target: String
    /// The mount source (a device, `overlay`, `tmpfs`…), as the filesystem reports it.
    public var source: String
    /// The filesystem type (`ext4`, `overlay`…).
    public var type: String
    /// Per-mount options (`rw,nosuid,relatime`).
    public var options: String
    /// Superblock options.
    public var superOptions: String
    /// Optional fields: `shared:N`, `master:N`, `propagate_from:N`, `unbindable`.
    public var optionalFields: [String]

    /// `shared`, `slave`, `shared,slave`, `unbindable` or `private`.
    public var propagation: String {
        var kinds: [String] = []
        if optionalFields.contains(where: { $0.hasPrefix("shared:") }) { kinds.append("shared") }
        if optionalFields.contains(where: { $0.hasPrefix("master:") }) { kinds.append("slave") }
        if optionalFields.contains("unbindable") { kinds.append("unbindable") }
        return kinds.isEmpty ? "private" : kinds.joined(separator: ",")
    }
}

/// The mount table of this process.
public struct MountTable: Sendable {
    /// Every mount, in the kernel's order (a later mount on the same target is on top).
    public let entries: [MountInfo]

    /// A table of the given entries, in mount order (for tests and for tables read elsewhere).
    public init(entries: [MountInfo]) {
        self.entries = entries
    }

    /// Parses a mountinfo file with libmount (`mnt_new_table_from_file`).
    public static func read(_ path: String = "/proc/self/mountinfo") throws(MountError) -> MountTable {
        guard let table = mnt_new_table_from_file(path) else {
            throw MountError(operation: "read mount table", target: path, errno: Errno(rawValue: errno == 0 ? EINVAL : errno))
        }
        defer { mnt_unref_table(table) }
        guard let iterator = mnt_new_iter(Int32(MNT_ITER_FORWARD)) else {
            throw MountError(operation: "read mount table", target: path, errno: .noMemory)
        }
        defer { mnt_free_iter(iterator) }
        var entries: [MountInfo] = []
        entries.reserveCapacity(Int(mnt_table_get_nents(table)))
        var fs: OpaquePointer?
        while mnt_table_next_fs(table, iterator, &fs) == 0, let fs {
            func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
            entries.append(
                MountInfo(
                    id: mnt_fs_get_id(fs), parentID: mnt_fs_get_parent_id(fs), root: text(mnt_fs_get_root(fs)),
                    target: text(mnt_fs_get_target(fs)), source: text(mnt_fs_get_source(fs)), type: text(mnt_fs_get_fstype(fs)),
                    options: text(mnt_fs_get_vfs_options(fs)), superOptions: text(mnt_fs_get_fs_options(fs)),
                    optionalFields: text(mnt_fs_get_optional_fields(fs)).split(separator: " ").map(String.init)))
        }
        return MountTable(entries: entries)
    }

    /// Whether something is mounted exactly at `path`.
    public func isMountPoint(_ path: String) -> Bool {
        let normal = Self.normalize(path)
        return entries.contains { $0.target == normal }
    }

    /// The mount a path lives on: the deepest mount point containing it,
    /// and of several stacked there, the top one.
    public func mount(containing path: String) -> MountInfo? {
        let normal = Self.normalize(path)
        var best: MountInfo?
        for entry in entries where Self.contains(entry.target, normal) {
            if best == nil || entry.target.utf8.count >= (best?.target.utf8.count ?? 0) { best = entry }
        }
        return best
    }

    /// Mounts at `prefix` or below it.
    public func mounts(under prefix: String) -> [MountInfo] {
        let normal = Self.normalize(prefix)
        return entries.filter { Self.contains(normal, $0.target) }
    }

    /// Mounts of a filesystem type.
    public func mounts(ofType type: String) -> [MountInfo] {
        entries.filter { $0.type == type }
    }

    static func contains(_ directory: String, _ path: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/")
        return "/" + parts.joined(separator: "/")
    }
}
