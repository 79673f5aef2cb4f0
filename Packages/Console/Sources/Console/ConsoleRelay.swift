package import LinuxSupport
import Synchronization

/// Moves bytes between many consoles, pipes and FIFOs on one epoll(7) loop
/// (the package's reactor): every descriptor non-blocking and
/// edge-triggered, a fixed buffer per stream (a slow reader holds the
/// writer back instead of growing memory), partial writes resumed on
/// EPOLLOUT, and a source's end (EOF, or EIO from a pty master whose slave
/// hung up) closing that stream's destination once everything read is
/// written. Stop deadlines are the loop's timers (a timerfd).
///
/// The relay works on its own close-on-exec duplicates of the descriptors
/// it is given and sets O_NONBLOCK on them (a flag shared with the caller's
/// copies). A destination reaches EOF when the relay's duplicate and the
/// caller's copies are all closed.
public final class ConsoleRelay: Sendable {
    private enum Mode {
        /// Its own reactor on its own thread, stopped after a shutdown.
        case ownThread
        /// Its own reactor, driven by the caller's loop.
        case driven
        /// A reactor shared with the rest of the process, run by its owner.
        case shared
    }

    private let reactor: Reactor
    private let mode: Mode
    private let nextID = Atomic<UInt64>(1)
    private let running = Mutex(true)
    private let ending = ShutdownWaiters()
    private let state = LoopState()

    /// What the loop keeps; touched only on the loop's thread.
    private final class LoopState: @unchecked Sendable {
        var pumps: [UInt64: RelayPump] = [:]
        var shuttingDown = false
        var ended = false
    }

    /// Starts the relay, on a thread of its own (`console-relay`); with
    /// `ownThread: false` the caller's event loop (epoll(7)) drives it
    /// instead: watch ``descriptor`` for readability there and call
    /// ``runReady()`` each time, always on that loop's thread.
    public init(ownThread: Bool = true) throws(ConsoleError) {
        do {
            reactor = try Reactor(name: "console-relay")
        } catch {
            throw ConsoleError(operation: "create the relay's loop", errno: error)
        }
        mode = ownThread ? .ownThread : .driven
        guard ownThread else { return }
        // Every shutdown() returns once the thread has let go of the loop:
        // its descriptors close with the relay, not some time later.
        let ending = self.ending
        do {
            try reactor.startThread(stackSize: 128 * 1024) { ending.resumeAll() }
        } catch {
            throw ConsoleError(operation: "start the relay thread", errno: error)
        }
    }

    /// A relay on a reactor shared with the rest of the process: its
    /// streams are handled on that reactor's thread, which its owner runs.
    package init(reactor: Reactor) {
        self.reactor = reactor
        mode = .shared
    }

    /// The relay's epoll descriptor, for a relay made with `ownThread:
    /// false`: readable while a stream can move bytes, a command was queued
    /// or a flush deadline passed.
    public var descriptor: Int32 { reactor.descriptor }

    /// Moves what can be moved without waiting and handles queued commands
    /// and due deadlines. Only for a relay made with `ownThread: false`,
    /// always on the thread of the loop that watches ``descriptor``.
    public func runReady() {
        guard mode == .driven else { return }
        reactor.runReady()
    }

    /// Relays `source` to `destination` until the source ends. `bufferSize`
    /// bounds what is held while the destination is slow.
    @discardableResult
    public func relay(from source: ConsoleDescriptor, to destination: ConsoleDescriptor, bufferSize: Int = 64 * 1024) throws(ConsoleError)
        -> RelayStream
    {
        guard running.withLock({ $0 }) else { throw ConsoleError(code: .shutDown, operation: "relay", detail: "the relay was shut down") }
        guard bufferSize > 0 else {
            throw ConsoleError(operation: "relay", errno: .invalidArgument, detail: "the buffer size must be positive")
        }
        let input = try source.duplicate()
        let output = try destination.duplicate()
        try input.setNonBlocking()
        try output.setNonBlocking()
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let stream = RelayStream(relay: self, id: id)
        let pump = RelayPump(id: id, source: input, destination: output, bufferSize: bufferSize, stream: stream)
        reactor.execute { [self] in add(pump) }
        return stream
    }

    /// Stops every stream after flushing what each already read (up to
    /// `flushTimeout`); a relay on its own thread then ends that thread.
    /// Returns when every stream has ended.
    public func shutdown(flushTimeout: Duration = .seconds(5)) async {
        let first = running.withLock { running in
            defer { running = false }
            return running
        }
        if first { reactor.execute { [self] in beginShutdown(flushTimeout) } }
        await ending.wait()
    }

    func stop(_ id: UInt64, flushTimeout: Duration) {
        reactor.execute { [self] in
            guard let pump = state.pumps[id] else { return }
            pump.beginStop()
            if !pump.isDone { reactor.schedule(after: flushTimeout) { [self] in finishPump(pump) } }
            sweep(pump)
        }
    }

    // MARK: On the loop

    private func add(_ pump: RelayPump) {
        state.pumps[pump.id] = pump
        pump.register(on: reactor) { [unowned self] in
            pump.run()
            sweep(pump)
        }
        pump.run()
        if state.shuttingDown { pump.beginStop() }
        sweep(pump)
    }

    private func beginShutdown(_ flushTimeout: Duration) {
        state.shuttingDown = true
        for pump in Array(state.pumps.values) {
            pump.beginStop()
            sweep(pump)
        }
        if !state.pumps.isEmpty {
            reactor.schedule(after: flushTimeout) { [self] in
                for pump in Array(state.pumps.values) { finishPump(pump) }
            }
        }
        endIfShutDown()
    }

    /// A stop's flush deadline passed: what is still buffered is dropped.
    private func finishPump(_ pump: RelayPump) {
        pump.finish(error: nil)
        sweep(pump)
    }

    /// Forgets a stream that ended.
    private func sweep(_ pump: RelayPump) {
        guard pump.isDone, state.pumps.removeValue(forKey: pump.id) != nil else { return }
        endIfShutDown()
    }

    /// Once a shutdown has ended every stream: the relay's own thread ends,
    /// and every shutdown() returns. A driven relay keeps its descriptors
    /// (the driving loop may still watch ``descriptor``) until deinit.
    private func endIfShutDown() {
        guard state.shuttingDown, state.pumps.isEmpty, !state.ended else { return }
        state.ended = true
        if mode == .ownThread {
            reactor.stop()  // the thread resumes the waiters as it ends
        } else {
            ending.resumeAll()
        }
    }
}

/// Who waits in ``ConsoleRelay/shutdown(flushTimeout:)``, resumed together once the relay has ended.
private final class ShutdownWaiters: Sendable {
    private let state = Mutex<(ended: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }

    func resumeAll() {
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
