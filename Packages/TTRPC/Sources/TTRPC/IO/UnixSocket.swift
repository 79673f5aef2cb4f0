import CTTRPCLinux
internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The credentials of the process at the other end of a unix socket
/// (SO_PEERCRED).
public struct PeerCredentials: Hashable, Sendable {
    /// The peer's process id (SO_PEERCRED `pid`).
    public var pid: Int32
    /// The peer's effective user id (`uid`).
    public var uid: UInt32
    /// The peer's effective group id (`gid`).
    public var gid: UInt32

    /// Credentials as given (for tests and policies).
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// unix(7) stream sockets: listening, connecting, accepting, peer
/// credentials. Every descriptor is created close-on-exec and non-blocking.
enum UnixSocket {
    static let pathLimit = UnixAddress.pathLimit

    /// Fills a sockaddr_un for `path`, refusing paths that do not fit.
    static func withAddress<T>(
        _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T
    ) throws(TTRPCError) -> T {
        guard let address = try? UnixAddress(path: path) else {
            throw TTRPCError(
                code: .invalidArgument, message: "socket path must be 1 to \(pathLimit) bytes, got \(path.utf8.count)",
                socketPath: path)
        }
        return address.withSocketAddress(body)
    }

    static func makeSocket(path: String) throws(TTRPCError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", Errno(rawValue: errno), path: path) }
        return fd
    }

    /// Binds and listens on `path` (which must not exist), with the socket
    /// file's mode set to `mode`.
    static func listen(path: String, mode: mode_t = 0o600, backlog: Int32 = 128) throws(TTRPCError) -> Int32 {
        let fd = try makeSocket(path: path)
        let bound = try withAddress(path) { bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = Errno(rawValue: errno)
            close(fd)
            throw .system("bind", error, path: path)
        }
        if chmod(path, mode) != 0 || Glibc.listen(fd, backlog) != 0 {
            let error = Errno(rawValue: errno)
            close(fd)
            unlink(path)
            throw .system("listen", error, path: path)
        }
        return fd
    }

    /// Connects to the socket at `path`. A unix socket connects at once or
    /// fails; EAGAIN (a full backlog) is retried briefly.
    static func connect(path: String) throws(TTRPCError) -> Int32 {
        let fd = try makeSocket(path: path)
        var attempts = 0
        while true {
            let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
            if result == 0 { return fd }
            let error = Errno(rawValue: errno)
            if error == .interrupted { continue }
            if error == .resourceTemporarilyUnavailable, attempts < 100 {
                attempts += 1
                usleep(1000)
                continue
            }
            if error == .nowInProgress { return fd }
            close(fd)
            throw .system("connect", error, path: path)
        }
    }

    /// Accepts one connection, or nil when none is pending.
    static func accept(_ listener: Int32) -> (fd: Int32, error: Errno?) {
        do {
            return (try UnixAddress.accept(listener), nil)
        } catch {
            return (-1, error)
        }
    }

    static func peerCredentials(_ fd: Int32) -> PeerCredentials? {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        guard cttrpc_peer_credentials(fd, &pid, &uid, &gid) == 0 else { return nil }
        return PeerCredentials(pid: pid, uid: uid, gid: gid)
    }

    /// Makes an inherited descriptor non-blocking and close-on-exec.
    static func prepareInherited(_ fd: Int32) throws(TTRPCError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0, fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else {
            throw .system("fcntl on inherited socket \(fd)", Errno(rawValue: errno))
        }
    }
}
