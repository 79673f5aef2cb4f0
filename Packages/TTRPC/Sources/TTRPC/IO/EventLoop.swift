import CTTRPCLinux
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Something the loop calls when its file descriptor is ready.
protocol EventLoopWatcher: AnyObject, Sendable {
    /// Called on the loop thread with the epoll events that fired.
    func ready(_ events: UInt32)
}

/// One thread that waits in epoll_wait(2) and runs everything TTRPC does
/// with sockets: accepting, reading, writing, and call deadlines. Work from
/// other threads reaches it through ``execute(_:)`` and an eventfd(2).
///
/// A server and clients in one process can share a loop (``shared``), so a
/// process serving ttrpc and publishing events idles on a single thread of
/// its own. State marked loop-confined is touched only on that thread.
public final class EventLoop: @unchecked Sendable {
    /// The process-wide loop, started on first use.
    public static let shared: EventLoop = {
        do {
            return try EventLoop()
        } catch {
            // Without epoll or eventfd nothing in this library can work; the
            // error is kept and reported by every operation that needs the loop.
            return EventLoop(failed: error)
        }
    }()

    private let epollFD: Int32
    private let wakeFD: Int32
    private let startError: TTRPCError?
    private let queue = Mutex<(work: [@Sendable () -> Void], woken: Bool, stopping: Bool)>(([], false, false))
    private let threadID = Mutex<pthread_t?>(nil)

    /// Registered descriptors; registration may happen on any thread.
    private let watchers = Mutex<[Int32: any EventLoopWatcher]>([:])

    /// Pending timers, soonest first; scheduled from any thread.
    private let timers = Mutex<(list: [(deadline: UInt64, id: UInt64, action: @Sendable () -> Void)], nextID: UInt64)>(([], 1))

    // Loop-confined state.
    /// A read buffer shared by every connection of this loop. Allocated,
    /// not zero-filled, so pages no read has reached stay untouched (an idle
    /// shim's small requests dirty one page of it, not four).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

    /// Creates a loop and starts its thread.
    public init() throws(TTRPCError) {
        let epoll = cttrpc_epoll_create()
        guard epoll >= 0 else { throw .system("epoll_create1", Errno(rawValue: errno)) }
        let wake = cttrpc_eventfd()
        guard wake >= 0 else {
            let error = Errno(rawValue: errno)
            close(epoll)
            throw .system("eventfd", error)
        }
        epollFD = epoll
        wakeFD = wake
        startError = nil
        guard cttrpc_epoll_add(epoll, wake, cttrpc_epollin) == 0 else {
            let error = Errno(rawValue: errno)
            close(wake)
            close(epoll)
            throw .system("epoll_ctl(ADD eventfd)", error)
        }
        try startThread()
    }

    deinit {
        readBuffer.deallocate()
    }

    private init(failed error: any Error) {
        epollFD = -1
        wakeFD = -1
        startError = error as? TTRPCError ?? TTRPCError(code: .unavailable, message: "event loop: \(error)")
    }

    /// Throws when this loop could not start.
    func checkStarted() throws(TTRPCError) {
        if let startError { throw startError }
    }

    private func startThread() throws(TTRPCError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, &attributes, eventLoopThreadMain, context)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            throw .system("pthread_create", Errno(rawValue: result))
        }
        pthread_detach(thread)
    }

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool {
        guard let thread = threadID.withLock({ $0 }) else { return false }
        return pthread_equal(pthread_self(), thread) != 0
    }

    /// Runs `work` on the loop thread, after work submitted before it.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        let needsWake = queue.withLock { state -> Bool in
            state.work.append(work)
            if state.woken { return false }
            state.woken = true
            return true
        }
        if needsWake { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeFD, $0.baseAddress, 8) }
    }

    /// Stops the loop thread after the work already queued, and closes its
    /// descriptors. Sockets still registered are not closed by this.
    public func stop() {
        guard startError == nil else { return }
        queue.withLock { $0.stopping = true }
        wake()
    }

    // MARK: Descriptors (any thread)

    /// Starts delivering `events` for `fd` to `watcher` on the loop thread.
    func watch(_ fd: Int32, events: UInt32, _ watcher: any EventLoopWatcher) throws(TTRPCError) {
        try checkStarted()
        watchers.withLock { $0[fd] = watcher }
        guard cttrpc_epoll_add(epollFD, fd, events) == 0 else {
            let error = Errno(rawValue: errno)
            watchers.withLock { _ = $0.removeValue(forKey: fd) }
            throw .system("epoll_ctl(ADD)", error)
        }
    }

    func change(_ fd: Int32, events: UInt32) {
        cttrpc_epoll_modify(epollFD, fd, events)
    }

    /// Stops watching `fd`; call before closing it.
    func unwatch(_ fd: Int32) {
        guard watchers.withLock({ $0.removeValue(forKey: fd) }) != nil else { return }
        cttrpc_epoll_delete(epollFD, fd)
    }

    // MARK: Timers (any thread)

    /// Runs `action` on the loop after `nanoseconds`; returns an id for ``cancelTimer(_:)``.
    @discardableResult
    func schedule(afterNanoseconds nanoseconds: UInt64, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        let deadline = Self.now() &+ nanoseconds
        let (id, soonest) = timers.withLock { state -> (UInt64, Bool) in
            let id = state.nextID
            state.nextID += 1
            let index = state.list.firstIndex { $0.deadline > deadline } ?? state.list.endIndex
            state.list.insert((deadline, id, action), at: index)
            return (id, index == 0)
        }
        // A new soonest deadline shortens the loop's wait: wake it to recompute.
        if soonest, !inLoop { wake() }
        return id
    }

    func cancelTimer(_ id: UInt64) {
        timers.withLock { state in
            if let index = state.list.firstIndex(where: { $0.id == id }) { state.list.remove(at: index) }
        }
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    // MARK: The loop

    fileprivate func run() {
        threadID.withLock { $0 = pthread_self() }
        cttrpc_name_thread("ttrpc-loop")
        var readyFDs = [Int32](repeating: 0, count: 64)
        var readyEvents = [UInt32](repeating: 0, count: 64)
        while true {
            var timeout: Int32 = -1
            if let first = timers.withLock({ $0.list.first?.deadline }) {
                let now = Self.now()
                timeout = first <= now ? 0 : Int32(min((first - now + 999_999) / 1_000_000, 60_000))
            }
            let count = cttrpc_epoll_wait(epollFD, &readyFDs, &readyEvents, 64, timeout)
            if count < 0, errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let fd = readyFDs[index]
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = withUnsafeMutableBytes(of: &value) { read(wakeFD, $0.baseAddress, 8) }
                } else if let watcher = watchers.withLock({ $0[fd] }) {
                    watcher.ready(readyEvents[index])
                }
            }
            let stopping = drainWork()
            fireTimers()
            if stopping { break }
        }
        close(wakeFD)
        close(epollFD)
    }

    /// Runs queued work until none is left, work it queues included (a
    /// task hopping between actors on this executor queues a job per hop):
    /// while the loop drains, `woken` stays set, so that work costs no
    /// eventfd write and no extra epoll_wait. Returns whether to stop.
    private func drainWork() -> Bool {
        // Bounded, so work that keeps queueing more cannot starve the sockets.
        for _ in 0..<64 {
            let (work, stopping) = queue.withLock { state -> ([@Sendable () -> Void], Bool) in
                let taken = state.work
                state.work.removeAll(keepingCapacity: true)
                // Only an empty queue lets the next execute() wake the loop again.
                if taken.isEmpty { state.woken = false }
                return (taken, state.stopping)
            }
            for item in work { item() }
            if work.isEmpty || stopping { return stopping }
        }
        // Work is still queued and `woken` still set: make epoll_wait return at once.
        wake()
        return false
    }

    private func fireTimers() {
        let now = Self.now()
        let due = timers.withLock { state -> [@Sendable () -> Void] in
            let count = state.list.prefix { $0.deadline <= now }.count
            let actions = state.list.prefix(count).map(\.action)
            state.list.removeFirst(count)
            return actions
        }
        for action in due { action() }
    }
}

private func eventLoopThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    let loop = Unmanaged<EventLoop>.fromOpaque(context).takeRetainedValue()
    loop.run()
    return nil
}
