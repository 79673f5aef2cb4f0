import SystemPackage
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A `file://` log: opened for appending (O_APPEND, 0640), its parent
/// directories made first, owned by the IO owner when that is not root.
enum LogFile {
    static func open(_ path: String, owner: (uid: UInt32, gid: UInt32)) throws(TTRPCError) -> Int32 {
        var parent = FilePath(path)
        parent.removeLastComponent()
        var current = FilePath("/")
        for component in parent.components {
            current.append(component)
            mkdir(current.string, 0o755)
        }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw TTRPCFailure.failed("cannot open the log file \(path): \(Errno(rawValue: errno))") }
        if ProcessIO.isOwned(owner) { _ = fchown(fd, owner.uid, owner.gid) }
        return fd
    }
}
