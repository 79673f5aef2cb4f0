#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Mount options split the way mount(2) needs them: flags, propagation
/// changes (each its own call), and filesystem data passed through.
///
/// ```swift
/// let options = MountOptions(["rbind", "ro", "rslave", "mode=755"])
/// options.flags         // [.bind, .recursive, .readOnly]
/// options.propagation   // [[.slave, .recursive]]
/// options.data          // ["mode=755"]
/// ```
public struct MountOptions: Hashable, Sendable {
    /// mount(2) flags (MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC…).
    public var flags: MountFlags
    /// Propagation changes, in order, each applied with its own mount(2).
    public var propagation: [MountFlags]
    /// Options the filesystem gets as data (`size=64m`, `lowerdir=…`).
    public var data: [String]

    /// Whether this is a bind mount (`bind` or `rbind`).
    public var isBind: Bool { flags.contains(.bind) }
    /// Whether the mount ends up read-only.
    public var isReadOnly: Bool { flags.contains(.readOnly) }

    /// (set, clear) for each flag option; `clear` options turn a flag off.
    static let flagTable: [String: (set: Bool, flag: MountFlags)] = [
        "async": (false, .synchronous), "atime": (false, .noAccessTime), "bind": (true, .bind),
        "defaults": (false, []), "dev": (false, .noDevices), "diratime": (false, .noDirectoryAccessTime),
        "dirsync": (true, .directorySync), "exec": (false, .noExecute), "iversion": (true, .inodeVersion),
        "lazytime": (true, .lazyTime), "loud": (false, .silent), "mand": (true, .mandatoryLocking),
        "noatime": (true, .noAccessTime), "nodev": (true, .noDevices), "nodiratime": (true, .noDirectoryAccessTime),
        "noexec": (true, .noExecute), "noiversion": (false, .inodeVersion), "nolazytime": (false, .lazyTime),
        "nomand": (false, .mandatoryLocking), "norelatime": (false, .relativeAccessTime),
        "nostrictatime": (false, .strictAccessTime), "nosuid": (true, .noSetUID), "rbind": (true, [.bind, .recursive]),
        "relatime": (true, .relativeAccessTime), "remount": (true, .remount), "ro": (true, .readOnly),
        "rw": (false, .readOnly), "silent": (true, .silent), "strictatime": (true, .strictAccessTime),
        "suid": (false, .noSetUID), "sync": (true, .synchronous),
    ]

    static let propagationTable: [String: MountFlags] = [
        "private": .private, "rprivate": [.private, .recursive], "shared": .shared,
        "rshared": [.shared, .recursive], "slave": .slave, "rslave": [.slave, .recursive],
        "unbindable": .unbindable, "runbindable": [.unbindable, .recursive],
    ]

    /// Parses fstab-style options; anything that is not a known flag or
    /// propagation keyword is filesystem data, kept in order.
    public init(_ options: [String]) {
        flags = []
        propagation = []
        data = []
        for option in options where !option.isEmpty {
            if let entry = Self.flagTable[option] {
                if entry.set { flags.formUnion(entry.flag) } else { flags.subtract(entry.flag) }
            } else if let change = Self.propagationTable[option] {
                propagation.append(change)
            } else {
                data.append(option)
            }
        }
    }

    /// Whether `option` is a flag or propagation keyword (not data).
    public static func isKeyword(_ option: String) -> Bool {
        flagTable[option] != nil || propagationTable[option] != nil
    }
}
