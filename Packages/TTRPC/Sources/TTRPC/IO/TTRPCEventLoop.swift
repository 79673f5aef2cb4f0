package import LinuxSupport
import SystemPackage

/// Something the loop calls when its file descriptor is ready.
protocol EventLoopWatcher: AnyObject, Sendable {
    /// Called on the loop thread with the epoll events that fired.
    func ready(_ events: ReactorEvents)
}

/// The thread that runs everything TTRPC does with sockets: accepting,
/// reading, writing, and call deadlines, on an epoll(7) loop (the package's
/// shared reactor). Work from other threads reaches it through
/// ``execute(_:)`` and an eventfd(2); timers through a timerfd(2).
///
/// A server and clients in one process can share a loop (``shared``), so a
/// process serving ttrpc and publishing events idles on a single thread of
/// its own. State marked loop-confined is touched only on that thread.
public final class TTRPCEventLoop: @unchecked Sendable {
    /// The process-wide loop, started on first use.
    public static let shared: TTRPCEventLoop = {
        do {
            return try TTRPCEventLoop()
        } catch {
            // Without epoll or eventfd nothing in this library can work; the
            // error is kept and reported by every operation that needs the loop.
            return TTRPCEventLoop(failed: error)
        }
    }()

    private let reactorOrNil: Reactor?
    private let ownsReactor: Bool
    private let startError: TTRPCError?

    // Loop-confined state.
    /// A read buffer shared by every connection of this loop. Allocated,
    /// not zero-filled, so pages no read has reached stay untouched (an idle
    /// shim's small requests dirty one page of it, not four).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

    /// Creates a loop and starts its thread (`ttrpc-loop`).
    public init() throws(TTRPCError) {
        do {
            let reactor = try Reactor(name: "ttrpc-loop")
            try reactor.startThread()
            reactorOrNil = reactor
        } catch {
            throw .system("event loop", error)
        }
        ownsReactor = true
        startError = nil
    }

    /// A loop on a reactor the caller runs and stops, shared with the
    /// other libraries of the process (one thread for all of them).
    package init(reactor: Reactor) {
        reactorOrNil = reactor
        ownsReactor = false
        startError = nil
    }

    deinit {
        readBuffer.deallocate()
    }

    private init(failed error: any Error) {
        reactorOrNil = nil
        ownsReactor = false
        startError = error as? TTRPCError ?? TTRPCError(code: .unavailable, message: "event loop: \(error)")
    }

    /// Throws when this loop could not start.
    func checkStarted() throws(TTRPCError) {
        if let startError { throw startError }
    }

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool { reactorOrNil?.inLoop ?? false }

    /// Runs `work` on the loop thread, after work submitted before it.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        reactorOrNil?.execute(work)
    }

    /// Stops the loop thread after the work already queued, and closes its
    /// descriptors. Sockets still registered are not closed by this. A loop
    /// on a shared reactor leaves stopping to the reactor's owner.
    public func stop() {
        if ownsReactor { reactorOrNil?.stop() }
    }

    // MARK: Descriptors (any thread)

    /// Starts delivering `events` for `fd` to `watcher` on the loop thread.
    func watch(_ fd: Int32, events: ReactorEvents, _ watcher: any EventLoopWatcher) throws(TTRPCError) {
        try checkStarted()
        do {
            try reactorOrNil?.watch(fd, events) { watcher.ready($0) }
        } catch {
            throw .system("epoll_ctl(ADD)", error)
        }
    }

    func change(_ fd: Int32, events: ReactorEvents) {
        try? reactorOrNil?.modify(fd, events)
    }

    /// Stops watching `fd`; call before closing it.
    func unwatch(_ fd: Int32) {
        reactorOrNil?.unwatch(fd)
    }

    // MARK: Timers (any thread)

    /// Runs `action` on the loop after `nanoseconds`; returns a timer for ``cancelTimer(_:)``.
    @discardableResult
    func schedule(afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void) -> ReactorTimer {
        reactorOrNil?.schedule(afterNanoseconds: nanoseconds, action) ?? ReactorTimer(id: 0)
    }

    func cancelTimer(_ timer: ReactorTimer) {
        reactorOrNil?.cancel(timer)
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    static func now() -> UInt64 { Reactor.now() }
}
