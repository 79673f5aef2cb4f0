import Synchronization
import TTRPC

/// Waits for a descriptor on the ttrpc loop's epoll instead of blocking
/// the loop in poll(2): a `binary://` logger taking its time to say it is
/// ready holds up only the request that started it, never the shim's other
/// requests, events and timers.
enum LoopWait {
    /// Returns true once `fd` is readable or hung up, false after `timeout`.
    /// The caller keeps `fd` open until this returns.
    static func readable(_ fd: Int32, timeout: Duration) async -> Bool {
        let waiter = ReadableWaiter(fd: fd)
        return await withCheckedContinuation { continuation in
            waiter.begin(continuation, timeout: timeout)
        }
    }
}

/// One wait: resumed once, by readiness or by its timer.
private final class ReadableWaiter: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Bool, Never>?
        var timer: EventLoopTimer?
        var finished = false
    }

    let fd: Int32
    private let state = Mutex(State())

    init(fd: Int32) { self.fd = fd }

    func begin(_ continuation: CheckedContinuation<Bool, Never>, timeout: Duration) {
        state.withLock { $0.continuation = continuation }
        do {
            try EventLoop.shared.watchReadable(fd) { [self] in finish(ready: true) }
        } catch {
            // No loop to wait on: do not hold the request up at all.
            finish(ready: true)
            return
        }
        let timer = EventLoop.shared.runAfter(timeout) { [self] in finish(ready: false) }
        let late = state.withLock { state -> Bool in
            if state.finished { return true }
            state.timer = timer
            return false
        }
        if late { EventLoop.shared.cancel(timer) }
    }

    private func finish(ready: Bool) {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, EventLoopTimer?) in
            guard !state.finished else { return (nil, nil) }
            state.finished = true
            defer {
                state.continuation = nil
                state.timer = nil
            }
            return (state.continuation, state.timer)
        }
        guard let continuation else { return }
        EventLoop.shared.stopWatchingReadable(fd)
        if let timer { EventLoop.shared.cancel(timer) }
        continuation.resume(returning: ready)
    }
}
