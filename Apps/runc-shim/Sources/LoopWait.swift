import Synchronization
import TTRPC

/// Waits on the shim reactor's own epoll and timers (`TTRPCEventLoop.runAfter`)
/// instead of blocking the loop in poll(2) or arming a Dispatch timer
/// (Swift's `Task.sleep`, which wakes a thread of Dispatch's pool): a
/// `binary://` logger taking its time to say it is ready holds up only the
/// request that started it, and the shim keeps its threads to the loop.
enum LoopWait {
    /// Returns true once `fd` is readable or hung up, false after `timeout`.
    /// The caller keeps `fd` open until this returns.
    static func readable(_ fd: Int32, timeout: Duration) async -> Bool {
        await LoopWaiter(fd: fd).wait(timeout: timeout)
    }

    /// `Task.sleep` on the loop's timers; cancelling the task ends it early.
    static func sleep(for duration: Duration) async {
        _ = await LoopWaiter(fd: nil).wait(timeout: duration)
    }
}

/// One wait: resumed once, by its descriptor's readiness (true), its timer
/// or the task's cancellation (false).
private final class LoopWaiter: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Bool, Never>?
        var timer: TTRPCTimer?
        var finished = false
    }

    private let fd: Int32?
    private let state = Mutex(State())

    init(fd: Int32?) { self.fd = fd }

    func wait(timeout: Duration) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in begin(continuation, timeout: timeout) }
        } onCancel: {
            finish(ready: false)
        }
    }

    private func begin(_ continuation: CheckedContinuation<Bool, Never>, timeout: Duration) {
        let cancelled = state.withLock { state -> Bool in
            if state.finished { return true }
            state.continuation = continuation
            return false
        }
        if cancelled {
            continuation.resume(returning: false)
            return
        }
        if let fd {
            do {
                try ShimLoop.ttrpc.watchReadable(fd) { [self] in finish(ready: true) }
            } catch {
                // No loop to wait on: do not hold the request up at all.
                finish(ready: true)
                return
            }
            // Finished meanwhile (cancelled): the watch came too late to be removed there.
            if state.withLock({ $0.finished }) { ShimLoop.ttrpc.stopWatchingReadable(fd) }
        }
        let timer = ShimLoop.ttrpc.runAfter(timeout) { [self] in finish(ready: false) }
        let late = state.withLock { state -> Bool in
            if state.finished { return true }
            state.timer = timer
            return false
        }
        if late { ShimLoop.ttrpc.cancel(timer) }
    }

    private func finish(ready: Bool) {
        let (continuation, timer, wasWaiting) = state.withLock {
            state -> (CheckedContinuation<Bool, Never>?, TTRPCTimer?, Bool) in
            guard !state.finished else { return (nil, nil, false) }
            state.finished = true
            defer {
                state.continuation = nil
                state.timer = nil
            }
            return (state.continuation, state.timer, true)
        }
        guard wasWaiting else { return }
        if let fd, continuation != nil { ShimLoop.ttrpc.stopWatchingReadable(fd) }
        if let timer { ShimLoop.ttrpc.cancel(timer) }
        continuation?.resume(returning: ready)
    }
}
