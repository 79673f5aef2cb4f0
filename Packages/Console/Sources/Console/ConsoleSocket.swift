import CConsoleLinux
internal import LinuxSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The listening end of `runc --console-socket`: a unix socket in a private
/// directory (mode 0700, from mkdtemp) that receives one pty master as
/// SCM_RIGHTS ancillary data. The socket and its directory are removed by
/// ``close()`` or when the value goes.
public final class ConsoleSocket: Sendable {
    /// The socket path to pass to runc.
    public let path: String
    private let directory: String
    private let listener: ConsoleDescriptor
    private let closed = Mutex(false)

    /// Creates and binds the socket in a new directory under `parent`.
    public init(parent: String = "/tmp") throws(ConsoleError) {
        var template = Array("\(parent)/console-socket-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ConsoleError.last("mkdtemp", path: parent) }
        directory = String(cString: made)
        path = directory + "/console.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            rmdir(directory)
            throw ConsoleError.last("socket")
        }
        listener = ConsoleDescriptor(taking: fd)
        guard let address = try? UnixAddress(path: path) else {
            listener.close()
            rmdir(directory)
            throw ConsoleError(operation: "bind", path: path, errno: .fileNameTooLong, detail: "the path is too long for a unix socket")
        }
        let bound = address.withSocketAddress { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 1) == 0 else {
            let error = ConsoleError.last("bind", path: path)
            listener.close()
            unlink(path)
            rmdir(directory)
            throw error
        }
    }

    deinit { close() }

    /// Waits up to `timeout` for a connection and its message, and returns
    /// the one descriptor it carries, which must be a terminal. A peer that
    /// sends no descriptor, several, or something other than a terminal is
    /// an error (any descriptors received are closed).
    public func receiveMaster(timeout: Duration = .seconds(10)) throws(ConsoleError) -> ConsoleDescriptor {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        try wait(for: listener.rawValue, until: deadline, what: "connection")
        let connectionFD: Int32
        do {
            connectionFD = try UnixAddress.accept(listener.rawValue)
        } catch {
            throw ConsoleError(operation: "accept", path: path, errno: error)
        }
        let connection = ConsoleDescriptor(taking: connectionFD)
        defer { connection.close() }
        try wait(for: connection.rawValue, until: deadline, what: "console message")
        var data = [UInt8](repeating: 0, count: 4096)
        var fds = [Int32](repeating: -1, count: 4)
        var count: Int32 = 0
        var truncated: Int32 = 0
        let received = cconsole_receive_fds(connection.rawValue, &data, data.count, &fds, &count, &truncated)
        guard received >= 0 else { throw ConsoleError.last("recvmsg", path: path) }
        let descriptors = fds.prefix(Int(count)).map { ConsoleDescriptor(taking: $0) }
        if truncated != 0 {
            throw ConsoleError(
                code: .badMessage, operation: "receive console", path: path,
                detail: "the control message was truncated (too many descriptors)")
        }
        guard descriptors.count == 1 else {
            let detail =
                received == 0 && descriptors.isEmpty
                ? "the peer closed the connection without sending a descriptor"
                : "expected one descriptor, got \(descriptors.count)"
            throw ConsoleError(code: .badMessage, operation: "receive console", path: path, detail: detail)
        }
        guard isatty(descriptors[0].rawValue) == 1 else {
            throw ConsoleError(
                code: .notATerminal, operation: "receive console", path: path, detail: "the descriptor received is not a terminal")
        }
        return descriptors[0]
    }

    private func wait(for fd: Int32, until deadline: ContinuousClock.Instant, what: String) throws(ConsoleError) {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready: Int32
        do {
            // An interrupted poll goes on with what is left of the timeout.
            ready = try SystemCall.retrying("poll") {
                let remaining = deadline - ContinuousClock.now
                let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
                return poll(&entry, 1, Int32(clamping: max(0, milliseconds)))
            }
        } catch {
            throw ConsoleError(operation: "poll", path: path, errno: error)
        }
        if ready > 0 { return }
        throw ConsoleError(operation: "receive console", path: path, errno: .timedOut, detail: "no \(what) within the timeout")
    }

    /// Closes the socket and removes it and its directory.
    public func close() {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        listener.close()
        unlink(path)
        rmdir(directory)
    }
}
