#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// mount(2)'s `MS_*` flags, as a set.
///
/// ```swift
/// let flags: MountFlags = [.bind, .recursive, .readOnly]
/// flags.rawValue   // MS_BIND | MS_REC | MS_RDONLY, for mount(2)
/// ```
public struct MountFlags: OptionSet, Hashable, Sendable {
    /// The bits as mount(2) takes them in `mountflags`.
    public let rawValue: UInt

    public init(rawValue: UInt) { self.rawValue = rawValue }

    /// MS_RDONLY: read-only.
    public static let readOnly = MountFlags(rawValue: UInt(MS_RDONLY))
    /// MS_NOSUID: set-user-ID and set-group-ID bits are ignored.
    public static let noSetUID = MountFlags(rawValue: UInt(MS_NOSUID))
    /// MS_NODEV: device files cannot be opened.
    public static let noDevices = MountFlags(rawValue: UInt(MS_NODEV))
    /// MS_NOEXEC: programs cannot be executed.
    public static let noExecute = MountFlags(rawValue: UInt(MS_NOEXEC))
    /// MS_SYNCHRONOUS: writes are synchronous.
    public static let synchronous = MountFlags(rawValue: UInt(MS_SYNCHRONOUS))
    /// MS_REMOUNT: change the flags of an existing mount.
    public static let remount = MountFlags(rawValue: UInt(MS_REMOUNT))
    /// MS_MANDLOCK: mandatory locking.
    public static let mandatoryLocking = MountFlags(rawValue: UInt(MS_MANDLOCK))
    /// MS_DIRSYNC: directory changes are synchronous.
    public static let directorySync = MountFlags(rawValue: UInt(MS_DIRSYNC))
    /// MS_NOATIME: access times are not updated.
    public static let noAccessTime = MountFlags(rawValue: UInt(MS_NOATIME))
    /// MS_NODIRATIME: directory access times are not updated.
    public static let noDirectoryAccessTime = MountFlags(rawValue: UInt(MS_NODIRATIME))
    /// MS_BIND: a bind mount.
    public static let bind = MountFlags(rawValue: UInt(MS_BIND))
    /// MS_MOVE: move a mount.
    public static let move = MountFlags(rawValue: UInt(MS_MOVE))
    /// MS_REC: recursively (with bind and propagation changes).
    public static let recursive = MountFlags(rawValue: UInt(MS_REC))
    /// MS_SILENT: fewer kernel messages.
    public static let silent = MountFlags(rawValue: UInt(MS_SILENT))
    /// MS_UNBINDABLE: propagation type unbindable.
    public static let unbindable = MountFlags(rawValue: UInt(MS_UNBINDABLE))
    /// MS_PRIVATE: propagation type private.
    public static let `private` = MountFlags(rawValue: UInt(MS_PRIVATE))
    /// MS_SLAVE: propagation type slave.
    public static let slave = MountFlags(rawValue: UInt(MS_SLAVE))
    /// MS_SHARED: propagation type shared.
    public static let shared = MountFlags(rawValue: UInt(MS_SHARED))
    /// MS_RELATIME: relative access times.
    public static let relativeAccessTime = MountFlags(rawValue: UInt(MS_RELATIME))
    /// MS_I_VERSION: inode versions.
    public static let inodeVersion = MountFlags(rawValue: UInt(MS_I_VERSION))
    /// MS_STRICTATIME: always update access times.
    public static let strictAccessTime = MountFlags(rawValue: UInt(MS_STRICTATIME))
    /// MS_LAZYTIME: timestamps updated lazily.
    public static let lazyTime = MountFlags(rawValue: UInt(MS_LAZYTIME))
}
