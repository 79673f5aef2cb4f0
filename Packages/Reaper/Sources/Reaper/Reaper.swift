import CReaperLinux
package import LinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The one waiter on children in a process: a child subreaper
/// (PR_SET_CHILD_SUBREAPER) that reaps every child with `wait4(-1, WNOHANG)`
/// when a SIGCHLD arrives on its signalfd(2), and hands each exit to whoever
/// waits for that pid and to every subscriber.
///
/// **The rule for callers.** A signalfd only sees SIGCHLD reliably when
/// SIGCHLD is blocked in every thread. Call ``blockSIGCHLD()`` first thing in
/// `main`, before anything starts a thread; threads inherit the block, and
/// children started through the Reaper get an empty mask back. Do not wait
/// for children any other way (no Foundation `Process`, no swift-subprocess,
/// no `waitpid` of your own): they would steal exits from the Reaper. As a
/// safety net, while anyone waits for an exit the Reaper also reaps once a
/// second, so a swallowed signal delays an exit but never loses it.
///
/// **Nothing is dropped.** An exit whose pid nobody waits for yet (a fast
/// child, a re-parented orphan) is kept until ``wait(for:)`` claims it or
/// ``release(_:)`` drops it. Subscribers (``exits()``) buffer without limit.
///
/// ```swift
/// Reaper.blockSIGCHLD()                    // top of main
/// let reaper = try Reaper.start()
/// let output = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "echo hi; exit 3"]))
/// output.exit.code                          // 3
/// output.stdoutText                         // "hi\n"
/// ```
public final class Reaper: Sendable {
    private static let instance = Mutex<Reaper?>(nil)
    let hub: ExitHub
    let loop: ReaperLoop
    /// Whether this process is a child subreaper.
    public let isSubreaper: Bool

    /// Blocks SIGCHLD in the calling thread, and so in every thread it
    /// creates afterwards. Call it at the top of `main`.
    public static func blockSIGCHLD() {
        SignalSet.block([SIGCHLD])
    }

    /// Blocks `signals` in the calling thread (and the threads it creates),
    /// so that only a signalfd receives them. Call it at the top of `main`.
    public static func blockSignals(_ signals: [Int32]) {
        SignalSet.block(signals)
    }

    /// Starts the process's Reaper, or returns the one already running.
    ///
    /// - Parameters:
    ///   - subreaper: also make this process a child subreaper, so orphaned
    ///     descendants are re-parented to it and reaped here.
    ///   - signals: other signals (SIGTERM, SIGINT…) for the Reaper's thread to
    ///     take from a signalfd and pass to `onSignal`, so a process needs no
    ///     thread of its own to wait for them. Block them first with
    ///     ``blockSignals(_:)``. Only the first start uses these.
    ///   - onSignal: called on the Reaper's thread with each of `signals`
    ///     as it arrives; it must not block.
    public static func start(
        subreaper: Bool = true, signals: [Int32] = [], onSignal: @escaping @Sendable (Int32) -> Void = { _ in }
    ) throws(ReaperError) -> Reaper {
        try install(subreaper: subreaper, signals: signals, onSignal: onSignal, mode: .ownThread, reuseRunning: true)
    }

    /// Creates the process's one Reaper (or, with `reuseRunning`, returns the
    /// one already running): blocks SIGCHLD, sets the subreaper flag, starts
    /// the loop as `mode` says.
    private static func install(
        subreaper: Bool, signals: [Int32], onSignal: @escaping @Sendable (Int32) -> Void, mode: LoopMode, reuseRunning: Bool
    ) throws(ReaperError) -> Reaper {
        let result: Result<Reaper, ReaperError> = instance.withLock { existing in
            if let existing {
                return reuseRunning
                    ? .success(existing) : .failure(ReaperError(code: .alreadyRunning, operation: "start (a Reaper already runs)"))
            }
            SignalSet.block([SIGCHLD])
            if subreaper, creaper_set_subreaper(1) != 0 {
                return .failure(ReaperError(operation: "prctl(PR_SET_CHILD_SUBREAPER)", errno: Errno(rawValue: errno)))
            }
            do throws(ReaperError) {
                let reaper = try Reaper(isSubreaper: creaper_is_subreaper() == 1, signals: signals, onSignal: onSignal, mode: mode)
                existing = reaper
                return .success(reaper)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Where the Reaper's loop runs.
    private enum LoopMode {
        case ownThread, callerThread, driven
        case shared(Reactor)
    }

    private init(
        isSubreaper: Bool, signals: [Int32], onSignal: @escaping @Sendable (Int32) -> Void, mode: LoopMode
    ) throws(ReaperError) {
        self.isSubreaper = isSubreaper
        let hub = ExitHub()
        self.hub = hub
        let reactor: Reactor
        if case .shared(let shared) = mode {
            reactor = shared
        } else {
            do {
                reactor = try Reactor(name: "reaper")
            } catch {
                throw ReaperError(operation: "create the reaper's loop", errno: error)
            }
        }
        loop = try ReaperLoop(
            reactor: reactor, signals: signals, onSignal: onSignal, reap: { hub.reapAll() }, sweepNeeded: { hub.someoneWaits })
        if case .ownThread = mode {
            do {
                try reactor.startThread()
            } catch {
                throw ReaperError(operation: "pthread_create", errno: error)
            }
        }
    }

    /// Like ``start(subreaper:signals:onSignal:)``, on a reactor shared with
    /// the rest of the process (its owner runs it): exits, command pipes,
    /// timers and signals are handled on that reactor's thread.
    package static func start(
        on reactor: Reactor, subreaper: Bool = true, signals: [Int32] = [], onSignal: @escaping @Sendable (Int32) -> Void = { _ in }
    ) throws(ReaperError) -> Reaper {
        try install(subreaper: subreaper, signals: signals, onSignal: onSignal, mode: .shared(reactor), reuseRunning: false)
    }

    /// Like ``start(subreaper:signals:onSignal:)``, but with no thread of
    /// its own, for a process that already runs an event loop (epoll(7)):
    /// watch ``descriptor`` for readability there and call ``runReady()``
    /// each time it is readable, always on that loop's thread. Children,
    /// their pipes, timers and signals are then handled on that thread,
    /// with no hand-off between threads.
    public static func startDriven(
        subreaper: Bool = true, signals: [Int32] = [], onSignal: @escaping @Sendable (Int32) -> Void = { _ in }
    ) throws(ReaperError) -> Reaper {
        try install(subreaper: subreaper, signals: signals, onSignal: onSignal, mode: .driven, reuseRunning: false)
    }

    /// The Reaper's epoll(7) descriptor, for a Reaper from
    /// ``startDriven(subreaper:signals:onSignal:)``: readable while a child
    /// has exited (SIGCHLD signalfd), a command's pipe is ready, work was
    /// queued, a timer is due (timerfd) or a watched signal arrived.
    public var descriptor: Int32 { loop.reactor.descriptor }

    /// Handles whatever is ready, without waiting: reaps, moves command
    /// pipes, runs queued work and due timers. For a driven Reaper only,
    /// always on the thread of the loop that watches ``descriptor``; the
    /// first call blocks SIGCHLD and SIGPIPE in that thread.
    public func runReady() { loop.reactor.runReady() }

    /// Like ``start(subreaper:signals:onSignal:)``, but the Reaper's loop runs
    /// on the calling thread (typically `main`), which never returns: a
    /// process that needs one thread fewer. `setup` runs first, with the
    /// Reaper, on this thread; if it throws, the error is returned instead.
    public static func runOnCurrentThread(
        subreaper: Bool = true, signals: [Int32] = [], onSignal: @escaping @Sendable (Int32) -> Void = { _ in },
        setup: (Reaper) throws -> Void
    ) throws -> Never {
        let reaper = try install(subreaper: subreaper, signals: signals, onSignal: onSignal, mode: .callerThread, reuseRunning: false)
        try setup(reaper)
        reaper.loop.reactor.run()
        // run() returns only when epoll itself failed for good.
        throw ReaperError(operation: "epoll_wait", errno: reaper.loop.reactor.failedWith ?? .ioError)
    }

    /// Waits for `pid` to exit and claims its exit (an exit that already
    /// happened is returned at once). Cancelling the task ends the wait with
    /// an error; the exit is then kept for a later claim.
    public func wait(for pid: Int32) async throws(ReaperError) -> ProcessExit {
        loop.ensureSweep()
        return try await hub.wait(for: pid)
    }

    /// Drops kept exits of `pid` that nobody will claim.
    public func release(_ pid: Int32) { hub.release(pid) }

    /// Exits reaped but not yet claimed.
    public var unclaimedExits: [ProcessExit] { hub.unclaimedExits }

    /// Every exit reaped from now on, in order, until the stream is dropped.
    public func exits() -> AsyncStream<ProcessExit> { hub.exits() }
}

/// Who waits for which pid, exits nobody claimed yet, and subscribers.
final class ExitHub: Sendable {
    private struct State {
        var waiters: [Int32: [ExitWaiter]] = [:]
        var unclaimed: [Int32: [ProcessExit]] = [:]
        var subscribers: [Int: AsyncStream<ProcessExit>.Continuation] = [:]
        var nextSubscriber = 0
        var running = 0  // run() calls in progress
    }

    private let state = Mutex(State())

    var someoneWaits: Bool { state.withLock { !$0.waiters.isEmpty || $0.running > 0 } }

    // MARK: Reaping

    func reapAll() {
        while true {
            var status: Int32 = 0
            let pid = creaper_reap_one(&status)
            if pid <= 0 { return }
            var time = timespec()
            clock_gettime(CLOCK_REALTIME, &time)
            let exitStatus: ExitStatus =
                creaper_signaled(status) != 0
                ? .signaled(creaper_term_signal(status), coreDumped: creaper_core_dumped(status) != 0)
                : .exited(creaper_exit_code(status))
            deliver(ProcessExit(pid: pid, status: exitStatus, seconds: Int64(time.tv_sec), nanoseconds: Int32(time.tv_nsec)))
        }
    }

    private func deliver(_ exit: ProcessExit) {
        let (waiter, subscribers) = state.withLock { state -> (ExitWaiter?, [AsyncStream<ProcessExit>.Continuation]) in
            // The first waiter claims the exit; any others wait for the next
            // process with this pid (pids are reused).
            var waiter: ExitWaiter?
            if var list = state.waiters[exit.pid], !list.isEmpty {
                waiter = list.removeFirst()
                state.waiters[exit.pid] = list.isEmpty ? nil : list
            } else {
                state.unclaimed[exit.pid, default: []].append(exit)
            }
            return (waiter, Array(state.subscribers.values))
        }
        for subscriber in subscribers { subscriber.yield(exit) }
        waiter?.resume(exit)
    }

    // MARK: Waiting and subscribing

    func wait(for pid: Int32, cancellable: Bool = true) async throws(ReaperError) -> ProcessExit {
        let waiter = ExitWaiter()
        let exit: ProcessExit? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProcessExit?, Never>) in
                waiter.attach(continuation)
                let ready = state.withLock { state -> ProcessExit?? in
                    if var queued = state.unclaimed[pid], !queued.isEmpty {
                        let first = queued.removeFirst()
                        state.unclaimed[pid] = queued.isEmpty ? nil : queued
                        return .some(first)
                    }
                    if waiter.isCancelled { return .some(nil) }
                    state.waiters[pid, default: []].append(waiter)
                    return nil
                }
                if let ready { waiter.resume(ready) }
            }
        } onCancel: {
            guard cancellable else { return }
            waiter.markCancelled()
            let removed = state.withLock { state -> Bool in
                guard let index = state.waiters[pid]?.firstIndex(where: { $0 === waiter }) else { return false }
                state.waiters[pid]?.remove(at: index)
                if state.waiters[pid]?.isEmpty == true { state.waiters[pid] = nil }
                return true
            }
            if removed { waiter.resume(nil) }
        }
        guard let exit else { throw ReaperError(code: .waitCancelled, operation: "waiting for pid \(pid) (cancelled)") }
        return exit
    }

    func release(_ pid: Int32) {
        _ = state.withLock { $0.unclaimed.removeValue(forKey: pid) }
    }

    var unclaimedExits: [ProcessExit] {
        state.withLock { $0.unclaimed.values.flatMap { $0 } }
    }

    func exits() -> AsyncStream<ProcessExit> {
        let (stream, continuation) = AsyncStream.makeStream(of: ProcessExit.self, bufferingPolicy: .unbounded)
        let id = state.withLock { state -> Int in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func adjustRunning(_ delta: Int) {
        state.withLock { $0.running += delta }
    }
}

/// One `wait(for:)` in progress; resumes its continuation exactly once.
final class ExitWaiter: @unchecked Sendable {
    private let lock = Mutex<(continuation: CheckedContinuation<ProcessExit?, Never>?, result: ProcessExit??, cancelled: Bool)>(
        (nil, nil, false))

    var isCancelled: Bool { lock.withLock { $0.cancelled } }

    func markCancelled() { lock.withLock { $0.cancelled = true } }

    func attach(_ continuation: CheckedContinuation<ProcessExit?, Never>) {
        let early = lock.withLock { state -> ProcessExit?? in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ exit: ProcessExit?) {
        let continuation = lock.withLock { state -> CheckedContinuation<ProcessExit?, Never>? in
            guard state.result == nil else { return nil }
            state.result = .some(exit)
            let continuation = state.continuation
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: exit)
    }
}
