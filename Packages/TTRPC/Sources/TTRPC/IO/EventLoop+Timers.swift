extension EventLoop {
    /// Calls `action` once on the loop thread after `delay`, measured on
    /// CLOCK_MONOTONIC and waited for as the epoll_wait(2) timeout, so a
    /// process that already runs this loop gets timers without a thread or a
    /// timerfd of their own. The action must not block.
    @discardableResult
    public func runAfter(_ delay: Duration, _ action: @escaping @Sendable () -> Void) -> EventLoopTimer {
        let (seconds, attoseconds) = delay.components
        let nanoseconds = max(0, seconds) &* 1_000_000_000 &+ max(0, attoseconds / 1_000_000_000)
        return EventLoopTimer(id: schedule(afterNanoseconds: UInt64(nanoseconds), action))
    }

    /// Cancels a timer from ``runAfter(_:_:)`` that has not fired yet; a
    /// timer that already fired or was cancelled is ignored.
    public func cancel(_ timer: EventLoopTimer) {
        cancelTimer(timer.id)
    }
}

/// A timer scheduled on an ``EventLoop``, for ``EventLoop/cancel(_:)``.
public struct EventLoopTimer: Hashable, Sendable {
    let id: UInt64
}
