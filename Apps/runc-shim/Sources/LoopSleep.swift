import Synchronization
import TTRPC

/// `Task.sleep` on the ttrpc loop's timers (an epoll_wait timeout, see
/// `EventLoop.runAfter`): Swift's own sleep arms a Dispatch timer, which
/// wakes a thread of Dispatch's pool, and the shim keeps its threads to the
/// loop. Cancelling the task ends the sleep early.
enum LoopSleep {
    static func sleep(for duration: Duration) async {
        let sleeper = Sleeper()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                sleeper.begin(continuation, duration: duration)
            }
        } onCancel: {
            sleeper.wake()
        }
    }
}

/// One sleep: resumed once, by its timer or by cancellation.
private final class Sleeper: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, Never>?
        var timer: EventLoopTimer?
        var woken = false
    }

    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<Void, Never>, duration: Duration) {
        let alreadyWoken = state.withLock { state -> Bool in
            if state.woken { return true }
            state.continuation = continuation
            return false
        }
        if alreadyWoken {
            continuation.resume()
            return
        }
        let timer = EventLoop.shared.runAfter(duration) { [self] in wake() }
        let cancelTimer = state.withLock { state -> Bool in
            if state.woken { return true }
            state.timer = timer
            return false
        }
        if cancelTimer { EventLoop.shared.cancel(timer) }
    }

    func wake() {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<Void, Never>?, EventLoopTimer?) in
            state.woken = true
            defer {
                state.continuation = nil
                state.timer = nil
            }
            return (state.continuation, state.timer)
        }
        if let timer { EventLoop.shared.cancel(timer) }
        continuation?.resume()
    }
}
