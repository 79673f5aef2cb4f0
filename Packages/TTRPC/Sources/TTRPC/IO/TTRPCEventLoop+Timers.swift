internal import LinuxSupport

extension TTRPCEventLoop {
    /// Calls `action` once on the loop thread after `delay`, measured on
    /// CLOCK_MONOTONIC by the loop's timerfd(2), so a process that already
    /// runs this loop gets timers without a thread of their own. The action
    /// must not block.
    @discardableResult
    public func runAfter(_ delay: Duration, _ action: @escaping @Sendable () -> Void) -> TTRPCTimer {
        TTRPCTimer(timer: schedule(afterNanoseconds: Reactor.nanoseconds(delay), action))
    }

    /// Cancels a timer from ``runAfter(_:_:)`` that has not fired yet; a
    /// timer that already fired or was cancelled is ignored.
    public func cancel(_ timer: TTRPCTimer) {
        cancelTimer(timer.timer)
    }
}

/// A timer scheduled on a ``TTRPCEventLoop``, for ``TTRPCEventLoop/cancel(_:)``.
public struct TTRPCTimer: Hashable, Sendable {
    let timer: ReactorTimer
}
