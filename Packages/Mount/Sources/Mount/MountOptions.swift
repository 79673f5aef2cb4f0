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
/// options.flags         // MS_BIND | MS_REC | MS_RDONLY
/// options.propagation   // [MS_SLAVE | MS_REC]
/// options.data          // ["mode=755"]
/// ```
public struct MountOptions: Hashable, Sendable {
    /// MS_* flags (MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC…).
    public var flags: UInt
    /// Propagation changes, in order, each applied with its own mount(2).
    public var propagation: [UInt]
    /// Options the filesystem gets as data (`size=64m`, `lowerdir=…`).
    public var data: [String]

    /// Whether this is a bind mount (`bind` or `rbind`).
    public var isBind: Bool { flags & UInt(MS_BIND) != 0 }
    /// Whether the mount ends up read-only.
    public var isReadOnly: Bool { flags & UInt(MS_RDONLY) != 0 }

    /// (set, clear) for each flag option; `clear` options turn a flag off.
    static let flagTable: [String: (set: Bool, flag: UInt)] = [
        "async": (false, UInt(MS_SYNCHRONOUS)), "atime": (false, UInt(MS_NOATIME)), "bind": (true, UInt(MS_BIND)),
        "defaults": (false, 0), "dev": (false, UInt(MS_NODEV)), "diratime": (false, UInt(MS_NODIRATIME)),
        "dirsync": (true, UInt(MS_DIRSYNC)), "exec": (false, UInt(MS_NOEXEC)), "iversion": (true, UInt(MS_I_VERSION)),
        "lazytime": (true, UInt(MS_LAZYTIME)), "loud": (false, UInt(MS_SILENT)), "mand": (true, UInt(MS_MANDLOCK)),
        "noatime": (true, UInt(MS_NOATIME)), "nodev": (true, UInt(MS_NODEV)), "nodiratime": (true, UInt(MS_NODIRATIME)),
        "noexec": (true, UInt(MS_NOEXEC)), "noiversion": (false, UInt(MS_I_VERSION)), "nolazytime": (false, UInt(MS_LAZYTIME)),
        "nomand": (false, UInt(MS_MANDLOCK)), "norelatime": (false, UInt(MS_RELATIME)),
        "nostrictatime": (false, UInt(MS_STRICTATIME)), "nosuid": (true, UInt(MS_NOSUID)), "rbind": (true, UInt(MS_BIND | MS_REC)),
        "relatime": (true, UInt(MS_RELATIME)), "remount": (true, UInt(MS_REMOUNT)), "ro": (true, UInt(MS_RDONLY)),
        "rw": (false, UInt(MS_RDONLY)), "silent": (true, UInt(MS_SILENT)), "strictatime": (true, UInt(MS_STRICTATIME)),
        "suid": (false, UInt(MS_NOSUID)), "sync": (true, UInt(MS_SYNCHRONOUS)),
    ]

    static let propagationTable: [String: UInt] = [
        "private": UInt(MS_PRIVATE), "rprivate": UInt(MS_PRIVATE | MS_REC), "shared": UInt(MS_SHARED),
        "rshared": UInt(MS_SHARED | MS_REC), "slave": UInt(MS_SLAVE), "rslave": UInt(MS_SLAVE | MS_REC),
        "unbindable": UInt(MS_UNBINDABLE), "runbindable": UInt(MS_UNBINDABLE | MS_REC),
    ]

    /// Parses fstab-style options; anything that is not a known flag or
    /// propagation keyword is filesystem data, kept in order.
    public init(_ options: [String]) {
        flags = 0
        propagation = []
        data = []
        for option in options where !option.isEmpty {
            if let entry = Self.flagTable[option] {
                if entry.set { flags |= entry.flag } else { flags &= ~entry.flag }
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
