import CLinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A unix(7) socket address (`sockaddr_un`) for a filesystem path, checked
/// to fit `sun_path` with its terminating NUL.
package struct UnixAddress: Sendable {
    /// The longest path `sun_path` holds (107 bytes on Linux).
    package static let pathLimit = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    package let path: String
    private let bytes: [UInt8]

    /// Throws EINVAL for an empty path, ENAMETOOLONG for one that does not fit.
    package init(path: String) throws(Errno) {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty else { throw .invalidArgument }
        guard bytes.count <= Self.pathLimit else { throw .fileNameTooLong }
        self.path = path
        self.bytes = bytes
    }

    /// Calls `body` with the filled `sockaddr_un` and its length, as
    /// bind(2) and connect(2) take them.
    package func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// The filesystem path a unix socket is bound to (getsockname(2)); nil
    /// for an unbound or abstract socket, or one that is not unix.
    package static func boundPath(of fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let pathLength = Int(length) - MemoryLayout<sa_family_t>.size
        guard pathLength > 0 else { return nil }
        let bytes = withUnsafeBytes(of: &address.sun_path) { raw in Array(raw.prefix(min(pathLength, raw.count))) }
        // Abstract sockets start with a NUL; filesystem paths end at one.
        guard let first = bytes.first, first != 0 else { return nil }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK, EINTR retried: the
    /// connection, or the errno (EAGAIN when none is pending).
    package static func accept(_ listener: Int32) throws(Errno) -> Int32 {
        try SystemCall.retrying("accept4") { clinux_accept(listener) }
    }
}
