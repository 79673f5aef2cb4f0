internal import LinuxSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A ttrpc server on unix sockets (containerd's ttrpc protocol).
///
/// Requests are read on an ``TTRPCEventLoop`` thread and each call runs its
/// handler as a task that prefers that loop as its executor, so handlers run
/// on the loop thread between their suspensions (no thread pool needed) and
/// one connection carries many concurrent calls. A handler that must block a
/// thread should move that work elsewhere.
/// Peers are checked with SO_PEERCRED against a ``PeerCredentialPolicy``.
///
/// ```swift
/// let server = TTRPCServer(services: [taskService])
/// try server.serve(listeningDescriptor: 3)     // the socket a shim inherits
/// ...
/// await server.shutdown()                      // lets in-flight calls finish
/// ```
public final class TTRPCServer: Sendable {
    private let core: ServerCore

    /// - Parameters:
    ///   - services: the services to serve; a later one with the same name replaces an earlier.
    ///   - peers: who may connect; the same user by default, as containerd's shims require.
    ///   - loop: the event loop to run on.
    public init(services: [TTRPCService], peers: PeerCredentialPolicy = .sameUser, loop: TTRPCEventLoop = .shared) {
        var table: [String: TTRPCService] = [:]
        for service in services { table[service.name] = service }
        core = ServerCore(services: table, policy: peers, loop: loop)
    }

    /// Creates a socket at `path` (mode 0600 by default) and serves it.
    ///
    /// - Parameters:
    ///   - path: the socket's path; its directory must exist.
    ///   - mode: the socket file's permission bits, set with chmod(2) before listen(2).
    ///   - replacingStale: when a socket file already exists at
    ///     `path` but nothing accepts on it, remove it and bind again.
    public func listen(path: String, mode: mode_t = 0o600, replacingStale: Bool = false) throws(TTRPCError) {
        let fd: Int32
        do {
            fd = try UnixSocket.listen(path: path, mode: mode)
        } catch  where error.errno == .addressInUse && replacingStale {
            if let probe = try? UnixSocket.connect(path: path) {
                Glibc.close(probe)
                throw TTRPCError(code: .alreadyExists, message: "a server is already listening", socketPath: path)
            }
            unlink(path)
            fd = try UnixSocket.listen(path: path, mode: mode)
        }
        try core.addListener(fd: fd, path: path)
    }

    /// Serves an already listening socket, such as the one a shim inherits
    /// as fd 3. The server owns the descriptor from now on.
    public func serve(listeningDescriptor fd: Int32) throws(TTRPCError) {
        try UnixSocket.prepareInherited(fd)
        try core.addListener(fd: fd, path: nil)
    }

    /// Stops accepting, answers new requests on open connections with
    /// Unavailable, waits until every in-flight call has been answered, then
    /// closes the connections.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.loop.execute { self.core.beginShutdown(graceful: true, continuation) }
        }
    }

    /// Closes listeners and connections now; handlers still running are cancelled.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.loop.execute { self.core.beginShutdown(graceful: false, continuation) }
        }
    }

    /// A server nobody holds any more stops serving: listeners and
    /// connections close, running handlers are cancelled.
    deinit {
        let core = self.core
        core.loop.execute { core.beginShutdown(graceful: false, nil) }
    }

    /// Calls being served right now.
    public var activeCalls: Int { core.activeCallCount.load(ordering: .relaxed) }
}

/// The loop-confined state of a server.
final class ServerCore: @unchecked Sendable {
    let services: [String: TTRPCService]
    let policy: PeerCredentialPolicy
    let loop: TTRPCEventLoop
    let activeCallCount = Atomic<Int>(0)
    private var listeners: [Int32: Listener] = [:]
    private var connections: [ObjectIdentifier: ServerConnection] = [:]
    private var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    private var shuttingDown = false

    init(services: [String: TTRPCService], policy: PeerCredentialPolicy, loop: TTRPCEventLoop) {
        self.services = services
        self.policy = policy
        self.loop = loop
    }

    func addListener(fd: Int32, path: String?) throws(TTRPCError) {
        let listener = Listener(fd: fd, path: path, core: self)
        do {
            try loop.watch(fd, events: .readable, listener)
        } catch {
            Glibc.close(fd)
            if let path { unlink(path) }
            throw error
        }
        loop.execute { self.listeners[fd] = listener }
    }

    func accepted(_ fd: Int32) {
        let peer = UnixSocket.peerCredentials(fd)
        guard let peer, policy.allows(peer), !shuttingDown else {
            Glibc.close(fd)
            return
        }
        let frames = FrameConnection(fd: fd, loop: loop)
        let connection = ServerConnection(connection: frames, core: self, peer: peer)
        frames.delegate = connection
        do {
            try frames.start()
        } catch {
            Glibc.close(fd)
            return
        }
        connections[ObjectIdentifier(connection)] = connection
    }

    func callStarted() { activeCallCount.add(1, ordering: .relaxed) }
    func callFinished() { activeCallCount.subtract(1, ordering: .relaxed) }

    func connectionClosed(_ connection: ServerConnection) {
        connections.removeValue(forKey: ObjectIdentifier(connection))
        checkShutdownComplete()
    }

    func beginShutdown(graceful: Bool, _ continuation: CheckedContinuation<Void, Never>?) {
        if let continuation { shutdownWaiters.append(continuation) }
        shuttingDown = true
        for listener in listeners.values { listener.close() }
        listeners.removeAll()
        for connection in connections.values {
            if graceful {
                connection.drain()
            } else {
                connection.connection.close(error: nil)
            }
        }
        checkShutdownComplete()
    }

    private func checkShutdownComplete() {
        guard shuttingDown, connections.isEmpty else { return }
        let waiters = shutdownWaiters
        shutdownWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}

/// A listening socket on the loop.
private final class Listener: EventLoopWatcher, @unchecked Sendable {
    let fd: Int32
    let path: String?
    /// Strong on purpose: the server's state lives while a listener does.
    let core: ServerCore
    private var closed = false

    init(fd: Int32, path: String?, core: ServerCore) {
        self.fd = fd
        self.path = path
        self.core = core
    }

    func ready(_ events: ReactorEvents) {
        while !closed {
            let (connection, error) = UnixSocket.accept(fd)
            if connection >= 0 {
                core.accepted(connection)
                continue
            }
            switch error {
            case .connectionAbort?: continue  // EINTR is retried by the accept itself
            default: return  // EAGAIN, or EMFILE and the like: try again on the next readiness
            }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        core.loop.unwatch(fd)
        Glibc.close(fd)
        if let path { unlink(path) }
    }
}
