import LinuxSupport
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The listening socket `start` creates for the serving shim.
enum UnixListener {
    /// Binds `path` (mode 0600). If the file exists: a live server there
    /// means AlreadyExists; a stale file is removed and bound again.
    static func listen(path: String) throws(TTRPCError) -> Int32 {
        if let fd = try bind(path) { return fd }
        if canConnect(path) {
            throw TTRPCError(code: .alreadyExists, message: "a shim already serves \(path)", socketPath: path)
        }
        unlink(path)
        if let fd = try bind(path) { return fd }
        throw TTRPCError(code: .unavailable, message: "cannot bind \(path)", errno: .addressInUse, socketPath: path)
    }

    /// nil on EADDRINUSE.
    private static func bind(_ path: String) throws(TTRPCError) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TTRPCError(code: .unavailable, message: "socket", errno: .init(rawValue: errno), socketPath: path) }
        guard let address = try? UnixAddress(path: path) else {
            close(fd)
            throw TTRPCError(code: .invalidArgument, message: "socket path too long", socketPath: path)
        }
        let bound = address.withSocketAddress { Glibc.bind(fd, $0, $1) }
        if bound != 0 {
            let error = errno
            close(fd)
            if error == EADDRINUSE { return nil }
            throw TTRPCError(code: .unavailable, message: "bind", errno: .init(rawValue: error), socketPath: path)
        }
        chmod(path, 0o600)
        guard Glibc.listen(fd, 128) == 0 else {
            let error = errno
            close(fd)
            unlink(path)
            throw TTRPCError(code: .unavailable, message: "listen", errno: .init(rawValue: error), socketPath: path)
        }
        return fd
    }

    private static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let address = try? UnixAddress(path: path) else { return false }
        return address.withSocketAddress { connect(fd, $0, $1) } == 0
    }
}
