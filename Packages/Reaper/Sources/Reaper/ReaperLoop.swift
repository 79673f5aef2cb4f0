import CReaperLinux
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The Reaper's loop: epoll over a SIGCHLD signalfd, the pipes of running
/// commands, an eventfd for work from other threads, and timers. It runs on
/// a thread of its own, on the caller's thread for good, or driven by
/// another event loop (``runReady()`` whenever ``epollFD`` is readable; a
/// timerfd then stands in for epoll_wait's timeout).
final class ReaperLoop: @unchecked Sendable {
    let epollFD: Int32
    let signalFD: Int32
    let wakeFD: Int32
    /// Only when driven: fires at the next timer deadline or sweep.
    private var timerFD: Int32 = -1
    /// What the timerfd is armed for (CLOCK_MONOTONIC ns); nil when disarmed.
    private var armedDeadline: UInt64?
    private var driverPrepared = false
    private let queue = Mutex<(work: [@Sendable () -> Void], woken: Bool)>(([], false))
    // Loop-confined.
    private var handlers: [Int32: (UInt32) -> Void] = [:]
    private var timers: [(deadline: UInt64, id: UInt64, action: () -> Void)] = []
    private var nextTimerID: UInt64 = 1
    private let reap: () -> Void
    private let sweepNeeded: () -> Bool
    /// A signalfd for the other signals the owner asked for, and its handler.
    private var otherSignalsFD: Int32 = -1
    private var onSignal: (@Sendable (Int32) -> Void)?

    /// - Parameters:
    ///   - reap: reaps every exited child; run on each SIGCHLD.
    ///   - sweepNeeded: whether someone waits for an exit; if so the loop
    ///     also reaps once a second, in case a thread that does not block
    ///     SIGCHLD swallowed the signal.
    init(reap: @escaping () -> Void, sweepNeeded: @escaping () -> Bool) throws(ReaperError) {
        let epoll = creaper_epoll_create()
        guard epoll >= 0 else { throw ReaperError(operation: "epoll_create1", errno: Errno(rawValue: errno)) }
        let signal = creaper_signalfd_sigchld()
        guard signal >= 0 else {
            let error = Errno(rawValue: errno)
            close(epoll)
            throw ReaperError(operation: "signalfd(SIGCHLD)", errno: error)
        }
        let wake = creaper_eventfd()
        guard wake >= 0 else {
            let error = Errno(rawValue: errno)
            close(epoll)
            close(signal)
            throw ReaperError(operation: "eventfd", errno: error)
        }
        creaper_epoll_add(epoll, signal, creaper_epollin)
        creaper_epoll_add(epoll, wake, creaper_epollin)
        // Belt and braces: SIGCHLD blocked everywhere reaches the signalfd;
        // one taken by a thread that does not block it runs this handler,
        // which wakes the loop through the eventfd. Either way we reap.
        if creaper_install_sigchld_handler(wake) != 0 {
            let error = Errno(rawValue: errno)
            close(epoll)
            close(signal)
            close(wake)
            throw ReaperError(operation: "sigaction(SIGCHLD)", errno: error)
        }
        epollFD = epoll
        signalFD = signal
        wakeFD = wake
        self.reap = reap
        self.sweepNeeded = sweepNeeded
    }

    /// Also read `signals` from a signalfd and pass each to `handler` on the
    /// loop thread. The signals must be blocked in every thread.
    func watchSignals(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) throws(ReaperError) {
        guard !signals.isEmpty else { return }
        let fd = signals.withUnsafeBufferPointer { creaper_signalfd($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw ReaperError(operation: "signalfd", errno: Errno(rawValue: errno)) }
        creaper_epoll_add(epollFD, fd, creaper_epollin)
        otherSignalsFD = fd
        onSignal = handler
    }

    /// Makes the loop drivable by another loop: adds the timerfd.
    func enableDriving() throws(ReaperError) {
        let fd = creaper_timerfd()
        guard fd >= 0 else { throw ReaperError(operation: "timerfd_create", errno: Errno(rawValue: errno)) }
        creaper_epoll_add(epollFD, fd, creaper_epollin)
        timerFD = fd
    }

    func startThread() throws(ReaperError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, &attributes, reaperThreadMain, context)
        guard result == 0 else {
            Unmanaged<ReaperLoop>.fromOpaque(context).release()
            throw ReaperError(operation: "pthread_create", errno: Errno(rawValue: result))
        }
        pthread_detach(thread)
    }

    /// Runs `work` on the loop thread.
    func execute(_ work: @escaping @Sendable () -> Void) {
        let wake = queue.withLock { state -> Bool in
            state.work.append(work)
            defer { state.woken = true }
            return !state.woken
        }
        if wake {
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { write(wakeFD, $0.baseAddress, 8) }
        }
    }

    // MARK: Loop-confined

    func watch(_ fd: Int32, events: UInt32, _ handler: @escaping (UInt32) -> Void) {
        handlers[fd] = handler
        creaper_epoll_add(epollFD, fd, events)
    }

    func unwatch(_ fd: Int32) {
        guard handlers.removeValue(forKey: fd) != nil else { return }
        creaper_epoll_delete(epollFD, fd)
    }

    @discardableResult
    func schedule(afterNanoseconds nanoseconds: UInt64, _ action: @escaping () -> Void) -> UInt64 {
        let id = nextTimerID
        nextTimerID += 1
        let deadline = Self.now() &+ nanoseconds
        let index = timers.firstIndex { $0.deadline > deadline } ?? timers.endIndex
        timers.insert((deadline, id, action), at: index)
        return id
    }

    func cancelTimer(_ id: UInt64) {
        timers.removeAll { $0.id == id }
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Runs the loop on the calling thread, for good.
    func runOnCurrentThread() -> Never {
        run()
        // run() only returns if epoll itself fails for good.
        fatalError("reaper: the event loop stopped")
    }

    /// The thread that runs the loop: it never takes SIGCHLD itself (it
    /// reads it from the signalfd), and writes to a child's stdin happen
    /// here, so a closed pipe must be EPIPE, not SIGPIPE.
    private func prepareThread() {
        creaper_block_sigchld()
        creaper_block_sigpipe()
        reap()  // children that exited before the signalfd existed
    }

    fileprivate func run() {
        prepareThread()
        while true {
            var timeout: Int32 = sweepNeeded() ? 1000 : -1
            if let first = timers.first {
                let now = Self.now()
                let until = first.deadline <= now ? 0 : Int32(min((first.deadline - now + 999_999) / 1_000_000, 60_000))
                timeout = timeout < 0 ? until : min(timeout, until)
            }
            guard iterate(timeout: timeout) else { return }
        }
    }

    /// One pass without waiting, for the event loop that drives this one:
    /// call it on that loop's thread (always the same thread) whenever
    /// ``epollFD`` is readable.
    func runReady() {
        if !driverPrepared {
            driverPrepared = true
            prepareThread()
        }
        _ = iterate(timeout: 0)
        // The next timer or sweep wakes the driving loop through the timerfd,
        // re-armed only when that deadline changed (this runs on every wake).
        let now = Self.now()
        var deadline = timers.first?.deadline
        if sweepNeeded() {
            // A sweep already armed within the next second stands.
            let sweep = armedDeadline.flatMap { $0 > now && $0 <= now &+ 1_000_000_000 ? $0 : nil } ?? now &+ 1_000_000_000
            deadline = min(deadline ?? sweep, sweep)
        }
        guard deadline != armedDeadline else { return }
        armedDeadline = deadline
        if let deadline {
            creaper_timerfd_arm(timerFD, deadline)
        } else {
            creaper_timerfd_disarm(timerFD)
        }
    }

    private static let readyCapacity = 64
    private var readyFDs = [Int32](repeating: 0, count: ReaperLoop.readyCapacity)
    private var readyEvents = [UInt32](repeating: 0, count: ReaperLoop.readyCapacity)

    /// One epoll_wait and what it found, queued work, due timers. False
    /// when epoll itself failed for good.
    private func iterate(timeout: Int32) -> Bool {
        let count = creaper_epoll_wait(epollFD, &readyFDs, &readyEvents, Int32(Self.readyCapacity), timeout)
        if count < 0, errno != EINTR {
            if errno == EBADF || errno == EINVAL { return false }
            return true
        }
        var reaped = false
        var timedOut = count == 0
        for index in 0..<max(0, Int(count)) {
            let fd = readyFDs[index]
            if fd == timerFD {
                var expirations: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &expirations) { read(timerFD, $0.baseAddress, 8) }
                armedDeadline = nil  // one-shot: it disarmed itself
                timedOut = true
            } else if fd == signalFD {
                creaper_drain_signalfd(signalFD)
                reap()
                reaped = true
            } else if fd == otherSignalsFD {
                var signal = creaper_read_signal(fd)
                while signal != 0 {
                    onSignal?(signal)
                    signal = creaper_read_signal(fd)
                }
            } else if fd == wakeFD {
                var value: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &value) { read(wakeFD, $0.baseAddress, 8) }
                // Work from another thread, or the SIGCHLD handler: reaping
                // when nothing exited is one cheap wait4 call.
                if !reaped {
                    reap()
                    reaped = true
                }
            } else {
                handlers[fd]?(readyEvents[index])
            }
        }
        if timedOut, !reaped, sweepNeeded() { reap() }
        let work = queue.withLock { state -> [@Sendable () -> Void] in
            let taken = state.work
            state.work.removeAll(keepingCapacity: true)
            state.woken = false
            return taken
        }
        for item in work { item() }
        let now = Self.now()
        while let first = timers.first, first.deadline <= now {
            timers.removeFirst()
            first.action()
        }
        return true
    }
}

private func reaperThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<ReaperLoop>.fromOpaque(context).takeRetainedValue().run()
    return nil
}
