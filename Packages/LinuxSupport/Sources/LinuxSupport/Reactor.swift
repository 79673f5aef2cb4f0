import CLinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The package's one event loop: epoll(7) over the descriptors it is asked
/// to watch, an eventfd(2) that wakes it for work queued from other
/// threads, and a timerfd(2) armed for the soonest timer.
///
/// A reactor runs on a thread of its own (``startThread(stackSize:)``), on
/// the calling thread until ``stop()`` (``run()``), or driven by another
/// loop: its epoll descriptor (``descriptor``) is readable whenever it has
/// something to do, and ``runReady()`` does it without waiting. Each library
/// makes its own reactor by default and accepts one to share, so a process
/// can run everything on one thread.
///
/// Handlers, queued work and timer actions run on the loop thread, one at a
/// time, and must not block: anything that waits stalls every descriptor of
/// the loop. ``watch(_:_:_:)``, ``execute(_:)`` and the timers may be called
/// from any thread.
package final class Reactor: @unchecked Sendable {
    /// Called on the loop thread with the events that fired.
    package typealias Handler = (ReactorEvents) -> Void

    private struct Registration: Sendable {
        let generation: UInt32
        var events: ReactorEvents
        let handler: LoopConfined<Handler>
    }

    private struct Registry: Sendable {
        var entries: [Int32: Registration] = [:]
        var nextGeneration: UInt32 = 1
    }

    private struct Timers: Sendable {
        var list: [(deadline: UInt64, id: UInt64, action: LoopConfined<() -> Void>)] = []
        var nextID: UInt64 = 1
        /// What the timerfd is armed for; nil when disarmed.
        var armed: UInt64?
    }

    private struct Queue: Sendable {
        var work: [LoopConfined<() -> Void>] = []
        /// The eventfd was written and the loop has not drained since: later
        /// work needs no further write.
        var woken = false
        var stopping = false
    }

    private static let wakeToken: UInt64 = 0
    private static let timerToken: UInt64 = 1
    private static let capacity = 64

    /// The name its own thread gets (PR_SET_NAME), at most 15 bytes.
    package let name: String
    private let epoll: OwnedDescriptor
    private let wake: OwnedDescriptor
    private let timer: OwnedDescriptor
    private let registry = Mutex(Registry())
    private let timers = Mutex(Timers())
    private let queue = Mutex(Queue())
    private let failure = Mutex<Errno?>(nil)
    /// pthread_self() of the thread running the loop; 0 before it runs.
    private let owner = Atomic<UInt>(0)

    // Loop-confined.
    private var readyTokens = [UInt64](repeating: 0, count: Reactor.capacity)
    private var readyEvents = [UInt32](repeating: 0, count: Reactor.capacity)

    /// Creates the epoll, eventfd and timerfd descriptors (all
    /// close-on-exec); nothing runs until the reactor is started or driven.
    package init(name: String) throws(Errno) {
        self.name = name
        epoll = OwnedDescriptor(taking: try SystemCall.retrying("epoll_create1") { clinux_epoll_create() })
        wake = try OwnedDescriptor.eventCounter()
        timer = OwnedDescriptor(taking: try SystemCall.retrying("timerfd_create") { clinux_timerfd() })
        _ = try SystemCall.retrying("epoll_ctl(ADD eventfd)") {
            clinux_epoll_add(epoll.rawValue, wake.rawValue, clinux_epollin, Self.wakeToken)
        }
        _ = try SystemCall.retrying("epoll_ctl(ADD timerfd)") {
            clinux_epoll_add(epoll.rawValue, timer.rawValue, clinux_epollin, Self.timerToken)
        }
    }

    // MARK: Running

    /// Runs the loop on a new thread named ``name`` until ``stop()``. Once
    /// the loop ended, the thread drops its reference to the reactor (the
    /// last one closes its descriptors) and then calls `onExit`.
    package func startThread(stackSize: Int = 256 * 1024, onExit: (@Sendable () -> Void)? = nil) throws(Errno) {
        let reference = Unmanaged.passRetained(self)
        do {
            try DetachedThread.start(name: name, stackSize: stackSize) {
                reference.takeUnretainedValue().run()
                reference.release()
                onExit?()
            }
        } catch {
            reference.release()
            throw error
        }
    }

    /// Runs the loop on the calling thread until ``stop()``.
    package func run() {
        claim()
        while pass(timeout: -1) {}
        owner.store(0, ordering: .releasing)
    }

    /// The epoll descriptor, for a loop that drives this one: readable
    /// whenever a watched descriptor is ready, work is queued or a timer is
    /// due. Call ``runReady()`` when it is, always on the same thread.
    package var descriptor: Int32 { epoll.rawValue }

    /// One pass without waiting: handlers of what is ready, queued work, due
    /// timers. For a driven reactor, on the driving loop's thread.
    package func runReady() {
        claim()
        _ = pass(timeout: 0)
    }

    /// Ends ``run()`` after the work queued before this call.
    package func stop() {
        queue.withLock { $0.stopping = true }
        wake.signalEvent()
    }

    /// Why the loop ended on its own: epoll_wait(2) failed with something
    /// other than EINTR (a bug: the epoll descriptor is gone or invalid).
    package var failedWith: Errno? { failure.withLock { $0 } }

    /// Whether the caller runs on the loop's thread.
    package var inLoop: Bool {
        owner.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Debug builds trap when loop-confined state is touched off the loop
    /// once it runs.
    package func assertInLoop(_ what: @autoclosure () -> String = "", file: StaticString = #fileID, line: UInt = #line) {
        assert(owner.load(ordering: .relaxed) == 0 || inLoop, "\(name): off the loop thread \(what())", file: file, line: line)
    }

    private func claim() {
        let me = UInt(pthread_self())
        if owner.load(ordering: .relaxed) != me { owner.store(me, ordering: .releasing) }
    }

    /// One epoll_wait and what it found, queued work, due timers. False once
    /// the loop must end.
    private func pass(timeout: Int32) -> Bool {
        let count = clinux_epoll_wait(epoll.rawValue, &readyTokens, &readyEvents, Int32(Self.capacity), timeout)
        if count < 0 {
            let error = Errno(rawValue: errno)
            if error != .interrupted {
                assertionFailure("\(name): epoll_wait: \(error)")
                failure.withLock { $0 = error }
                return false
            }
        }
        for index in 0..<max(0, Int(count)) {
            let token = readyTokens[index]
            switch token {
            case Self.wakeToken:
                wake.readCounter()
            case Self.timerToken:
                timer.readCounter()
                timers.withLock { $0.armed = nil }  // one-shot: it disarmed itself
            default:
                let fd = Int32(truncatingIfNeeded: token & 0xFFFF_FFFF)
                let generation = UInt32(truncatingIfNeeded: token >> 32)
                // A stale event of a descriptor unwatched (and maybe reused)
                // earlier in this batch has an old generation: dropped.
                guard let registration = registry.withLock({ $0.entries[fd] }), registration.generation == generation else {
                    continue
                }
                registration.handler.value(ReactorEvents(rawValue: readyEvents[index]))
            }
        }
        let stopping = drainWork()
        fireTimers()
        return !stopping
    }

    // MARK: Work from any thread

    /// Runs `work` on the loop thread, after work queued before it.
    package func execute(_ work: @escaping () -> Void) {
        let needsWake = queue.withLock { state -> Bool in
            state.work.append(LoopConfined(work))
            if state.woken { return false }
            state.woken = true
            return true
        }
        if needsWake { wake.signalEvent() }
    }

    /// Runs queued work until none is left, work it queues included (a task
    /// hopping between actors on this executor queues a job per hop): while
    /// it drains, `woken` stays set, so that work costs no eventfd write and
    /// no extra epoll_wait. Bounded, so work that keeps queueing more cannot
    /// starve the descriptors. Returns whether to stop.
    private func drainWork() -> Bool {
        for _ in 0..<64 {
            let (work, stopping) = queue.withLock { state -> ([LoopConfined<() -> Void>], Bool) in
                let taken = state.work
                state.work.removeAll(keepingCapacity: true)
                // Only an empty queue lets the next execute() wake the loop again.
                if taken.isEmpty { state.woken = false }
                return (taken, state.stopping)
            }
            for item in work { item.value() }
            if work.isEmpty || stopping { return stopping }
        }
        wake.signalEvent()  // still work queued and `woken` set: the next epoll_wait returns at once
        return false
    }

    // MARK: Descriptors

    /// Calls `handler` on the loop thread whenever `fd` has `events`, until
    /// ``unwatch(_:)``. The caller keeps `fd` open while it is watched.
    /// Throws epoll_ctl(2)'s error: EEXIST when already watched, EPERM for a
    /// regular file (always ready; read or write it directly).
    package func watch(_ fd: Int32, _ events: ReactorEvents, _ handler: @escaping Handler) throws(Errno) {
        let generation = registry.withLock { registry -> UInt32 in
            let generation = registry.nextGeneration
            registry.nextGeneration = generation == UInt32.max ? 1 : generation + 1
            if registry.entries[fd] == nil {
                registry.entries[fd] = Registration(generation: generation, events: events, handler: LoopConfined(handler))
            }
            return generation
        }
        do {
            _ = try SystemCall.retrying("epoll_ctl(ADD)") {
                clinux_epoll_add(epoll.rawValue, fd, events.rawValue, Self.token(fd, generation))
            }
        } catch {
            registry.withLock { registry in
                if registry.entries[fd]?.generation == generation { registry.entries[fd] = nil }
            }
            throw error
        }
    }

    /// Changes the events watched for `fd`.
    package func modify(_ fd: Int32, _ events: ReactorEvents) throws(Errno) {
        guard
            let generation = registry.withLock({ registry -> UInt32? in
                registry.entries[fd]?.events = events
                return registry.entries[fd]?.generation
            })
        else { throw Errno.noSuchFileOrDirectory }
        _ = try SystemCall.retrying("epoll_ctl(MOD)") {
            clinux_epoll_modify(epoll.rawValue, fd, events.rawValue, Self.token(fd, generation))
        }
    }

    /// Stops watching `fd`; call before closing it. Events of `fd` already
    /// collected by the loop are dropped.
    package func unwatch(_ fd: Int32) {
        guard registry.withLock({ $0.entries.removeValue(forKey: fd) }) != nil else { return }
        _ = clinux_epoll_delete(epoll.rawValue, fd)
    }

    /// Whether `fd` is watched.
    package func isWatching(_ fd: Int32) -> Bool {
        registry.withLock { $0.entries[fd] != nil }
    }

    private static func token(_ fd: Int32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    // MARK: Timers

    /// CLOCK_MONOTONIC in nanoseconds, the clock of the reactor's timers.
    package static func now() -> UInt64 { clinux_monotonic_now() }

    /// Runs `action` once on the loop thread at `deadline` (``now()``'s clock).
    @discardableResult
    package func schedule(at deadline: UInt64, _ action: @escaping () -> Void) -> ReactorTimer {
        let deadline = max(deadline, 1)  // 0 would disarm the timerfd
        let id = timers.withLock { state -> UInt64 in
            let id = state.nextID
            state.nextID += 1
            let index = state.list.firstIndex { $0.deadline > deadline } ?? state.list.endIndex
            state.list.insert((deadline, id, LoopConfined(action)), at: index)
            if index == 0 { arm(&state) }
            return id
        }
        return ReactorTimer(id: id)
    }

    /// Runs `action` once on the loop thread after `nanoseconds`.
    @discardableResult
    package func schedule(afterNanoseconds nanoseconds: UInt64, _ action: @escaping () -> Void) -> ReactorTimer {
        schedule(at: Self.now() &+ nanoseconds, action)
    }

    /// Runs `action` once on the loop thread after `delay`.
    @discardableResult
    package func schedule(after delay: Duration, _ action: @escaping () -> Void) -> ReactorTimer {
        schedule(afterNanoseconds: Self.nanoseconds(delay), action)
    }

    /// Cancels a timer that has not fired; others are ignored.
    package func cancel(_ timer: ReactorTimer) {
        timers.withLock { state in
            guard let index = state.list.firstIndex(where: { $0.id == timer.id }) else { return }
            state.list.remove(at: index)
            if index == 0 { arm(&state) }
        }
    }

    /// A duration as whole nanoseconds, negative ones as zero.
    package static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        return UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ UInt64(attoseconds / 1_000_000_000)
    }

    /// Arms the timerfd for the soonest deadline, when that changed.
    private func arm(_ state: inout Timers) {
        let soonest = state.list.first?.deadline
        guard soonest != state.armed else { return }
        state.armed = soonest
        _ = clinux_timerfd_set(timer.rawValue, soonest ?? 0)
    }

    private func fireTimers() {
        let now = Self.now()
        let due = timers.withLock { state -> [LoopConfined<() -> Void>] in
            let count = state.list.prefix { $0.deadline <= now }.count
            let actions = state.list.prefix(count).map(\.action)
            state.list.removeFirst(count)
            arm(&state)
            return actions
        }
        for action in due { action.value() }
    }
}

/// A closure handed to the loop from any thread and only ever called on
/// it: what it captures is touched by one thread at a time.
private struct LoopConfined<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
