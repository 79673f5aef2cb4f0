import CConsoleLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Moves bytes between many consoles, pipes and FIFOs on one epoll(7)
/// thread: every descriptor non-blocking and edge-triggered, a fixed buffer
/// per stream (a slow reader holds the writer back instead of growing
/// memory), partial writes resumed on EPOLLOUT, and a source's end (EOF, or
/// EIO from a pty master whose slave hung up) closing that stream's
/// destination once everything read is written.
///
/// The relay works on its own close-on-exec duplicates of the descriptors
/// it is given and sets O_NONBLOCK on them (a flag shared with the caller's
/// copies). A destination reaches EOF when the relay's duplicate and the
/// caller's copies are all closed.
public final class ConsoleRelay: Sendable {
    private let epoll: ConsoleDescriptor
    private let wake: ConsoleDescriptor
    private let commands = Mutex<[Command]>([])
    private let nextID = Atomic<UInt64>(1)
    private let running = Mutex(true)
    private let stoppedThread = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let threadEnded = Mutex(false)
    /// Only when driven by the caller's loop.
    private let timer: ConsoleDescriptor?
    private let state = LoopState()
    private static let wakeToken: UInt64 = 0
    /// Pump tokens are `id << 1 | direction` with ids from 1, so 1 is free.
    private static let timerToken: UInt64 = 1

    /// What the loop keeps between passes; touched only on the loop's thread.
    private final class LoopState: @unchecked Sendable {
        var pumps: [UInt64: RelayPump] = [:]
        var shuttingDown: ContinuousClock.Instant?
        /// What a driven relay's timerfd is armed for; nil when disarmed.
        var armedDeadline: ContinuousClock.Instant?
        var ended = false
        var tokens = [UInt64](repeating: 0, count: 64)
        var flags = [UInt32](repeating: 0, count: 64)
    }

    enum Command: @unchecked Sendable {
        case add(RelayPump)
        case stop(UInt64, Duration)
        case shutdown(Duration)
    }

    /// Starts the relay, on a thread of its own; with `ownThread: false`
    /// the caller's event loop (epoll(7)) drives it instead: watch
    /// ``descriptor`` for readability there and call ``runReady()`` each
    /// time, always on that loop's thread.
    public init(ownThread: Bool = true) throws(ConsoleError) {
        let epollFD = cconsole_epoll_create()
        guard epollFD >= 0 else { throw ConsoleError.last("epoll_create1") }
        epoll = ConsoleDescriptor(taking: epollFD)
        let wakeFD = cconsole_eventfd()
        guard wakeFD >= 0 else { throw ConsoleError.last("eventfd") }
        wake = ConsoleDescriptor(taking: wakeFD)
        guard cconsole_epoll_add(epollFD, wakeFD, 1, Self.wakeToken) == 0 else { throw ConsoleError.last("epoll_ctl") }
        if !ownThread {
            // Stop deadlines become timerfd expiries for the driving loop.
            let timerFD = cconsole_timerfd()
            guard timerFD >= 0 else { throw ConsoleError.last("timerfd_create") }
            timer = ConsoleDescriptor(taking: timerFD)
            guard cconsole_epoll_add(epollFD, timerFD, 1, Self.timerToken) == 0 else { throw ConsoleError.last("epoll_ctl") }
            return
        }
        timer = nil
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 128 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, &attributes, consoleRelayThreadMain, context)
        guard result == 0 else {
            Unmanaged<ConsoleRelay>.fromOpaque(context).release()
            throw ConsoleError(operation: "pthread_create", errno: .init(rawValue: result))
        }
        pthread_detach(thread)
    }

    /// The relay's epoll descriptor, for a relay made with `ownThread:
    /// false`: readable while a stream can move bytes, a command was queued
    /// or a flush deadline passed.
    public var descriptor: Int32 { epoll.rawValue }

    /// Moves what can be moved without waiting and handles queued commands
    /// and due deadlines. Only for a relay made with `ownThread: false`,
    /// always on the thread of the loop that watches ``descriptor``.
    public func runReady() {
        guard let timer else { return }
        guard !state.ended else {
            // Shut down: a late command only needs its wake-up consumed.
            var value: UInt64 = 0
            _ = read(wake.rawValue, &value, 8)
            return
        }
        _ = iterate(timeout: 0)
        // Re-armed only when the soonest deadline changed: this runs on
        // every wake of a streaming relay.
        let deadline = Self.nextDeadline(state.pumps.values, shutdown: state.shuttingDown)
        if deadline != state.armedDeadline {
            state.armedDeadline = deadline
            let milliseconds = Self.timeout(until: deadline)
            _ = cconsole_timerfd_arm(timer.rawValue, milliseconds < 0 ? -1 : Int64(milliseconds) * 1_000_000)
        }
        if state.ended { finishLoop(closing: false) }
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
        guard cconsole_set_nonblocking(input.rawValue, 1) == 0, cconsole_set_nonblocking(output.rawValue, 1) == 0 else {
            throw ConsoleError.last("fcntl O_NONBLOCK")
        }
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let stream = RelayStream(relay: self, id: id)
        send(.add(RelayPump(id: id, source: input, destination: output, bufferSize: bufferSize, stream: stream)))
        return stream
    }

    /// Stops every stream after flushing what each already read (up to
    /// `flushTimeout`), and ends the thread. Returns when it has ended.
    public func shutdown(flushTimeout: Duration = .seconds(5)) async {
        let first = running.withLock { running in
            defer { running = false }
            return running
        }
        if first { send(.shutdown(flushTimeout)) }
        await withCheckedContinuation { continuation in
            let ended = threadEnded.withLock { ended in
                if !ended { stoppedThread.withLock { $0 = continuation } }
                return ended
            }
            if ended { continuation.resume() }
        }
    }

    func stop(_ id: UInt64, flushTimeout: Duration) { send(.stop(id, flushTimeout)) }

    private func send(_ command: Command) {
        commands.withLock { $0.append(command) }
        var one: UInt64 = 1
        _ = write(wake.rawValue, &one, 8)
    }

    // MARK: The loop thread

    fileprivate func run() {
        cconsole_name_thread("console-relay")
        while !state.ended {
            _ = iterate(timeout: Self.timeout(until: Self.nextDeadline(state.pumps.values, shutdown: state.shuttingDown)))
        }
        finishLoop(closing: true)
    }

    /// One epoll_wait, the streams it found ready, queued commands, due
    /// deadlines. Sets `state.ended` once a shutdown has finished every stream.
    private func iterate(timeout: Int32) -> Bool {
        let count = cconsole_epoll_wait(epoll.rawValue, &state.tokens, &state.flags, 64, timeout)
        for index in 0..<max(0, Int(count)) {
            let token = state.tokens[index]
            if token == Self.wakeToken || token == Self.timerToken {
                var value: UInt64 = 0
                _ = read(token == Self.wakeToken ? wake.rawValue : (timer?.rawValue ?? -1), &value, 8)
                if token == Self.timerToken { state.armedDeadline = nil }  // one-shot: it disarmed itself
                continue
            }
            guard let pump = state.pumps[token >> 1] else { continue }
            pump.run()
        }
        for command in commands.withLock({ list in
            defer { list = [] }; return list
        }) {
            switch command {
            case .add(let pump):
                state.pumps[pump.id] = pump
                pump.register(epoll: epoll.rawValue)
                pump.run()
            case .stop(let id, let timeout):
                state.pumps[id]?.beginStop(deadline: ContinuousClock.now.advanced(by: timeout))
            case .shutdown(let timeout):
                let deadline = ContinuousClock.now.advanced(by: timeout)
                state.shuttingDown = deadline
                for pump in state.pumps.values { pump.beginStop(deadline: deadline) }
            }
        }
        for pump in state.pumps.values where pump.stopDeadline.map({ ContinuousClock.now >= $0 }) == true {
            pump.finish(error: nil)
        }
        for (id, pump) in state.pumps where pump.isDone { state.pumps[id] = nil }
        if state.shuttingDown != nil, state.pumps.isEmpty { state.ended = true }
        return state.ended
    }

    /// After a shutdown: the relay's own thread closes its descriptors; a
    /// driven relay keeps them (the driving loop may still watch the
    /// descriptor) until it is deinitialized. Either way shutdown() returns.
    private func finishLoop(closing: Bool) {
        if closing {
            epoll.close()
            wake.close()
        }
        let waiter = threadEnded.withLock { ended in
            ended = true
            return stoppedThread.withLock { waiter in
                defer { waiter = nil }
                return waiter
            }
        }
        waiter?.resume()
    }

    /// The soonest flush deadline of a stopping stream or of the shutdown.
    private static func nextDeadline(_ pumps: Dictionary<UInt64, RelayPump>.Values, shutdown: ContinuousClock.Instant?)
        -> ContinuousClock.Instant?
    {
        var earliest = shutdown
        for pump in pumps {
            if let deadline = pump.stopDeadline, earliest.map({ deadline < $0 }) ?? true { earliest = deadline }
        }
        return earliest
    }

    /// Milliseconds until `deadline` (rounded up), -1 for none: an epoll_wait timeout.
    private static func timeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return -1 }
        let remaining = deadline - ContinuousClock.now
        let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: max(0, milliseconds))
    }
}

private func consoleRelayThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<ConsoleRelay>.fromOpaque(context).takeRetainedValue().run()
    return nil
}
