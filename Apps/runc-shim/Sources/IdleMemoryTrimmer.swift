import CMalloc
import Synchronization
import TTRPC

/// Hands the memory a burst of work dirtied back to the kernel once the
/// shim has been quiet for a while: the heap's free pages with
/// malloc_trim(3), and the event loop thread's stack below its idle depth
/// with madvise(MADV_DONTNEED).
///
/// glibc keeps freed memory for reuse and returns the top of the heap only
/// past its trim threshold (128 KiB), and a stack keeps every page it ever
/// reached, so after Create and Start an idle shim would keep tens of
/// kilobytes of dirty pages it no longer uses. Thousands of shims idle on a
/// node; the trim runs once per quiet spell, on the ttrpc event loop's timer
/// (no thread of its own), which is also the thread whose stack it trims.
final class IdleMemoryTrimmer: Sendable {
    private let loop: TTRPCEventLoop
    private let quietPeriod: Duration
    private let clock = ContinuousClock()
    private let state: Mutex<(lastActivity: ContinuousClock.Instant, armed: Bool)>

    init(loop: TTRPCEventLoop = ShimLoop.ttrpc, quietPeriod: Duration = .seconds(2)) {
        self.loop = loop
        self.quietPeriod = quietPeriod
        state = Mutex((clock.now, false))
    }

    /// Notes that work happened; the trim follows `quietPeriod` after the
    /// last such note.
    func noteActivity() {
        let now = clock.now
        let arm = state.withLock { state -> Bool in
            state.lastActivity = now
            guard !state.armed else { return false }
            state.armed = true
            return true
        }
        if arm { loop.runAfter(quietPeriod) { [self] in fire() } }
    }

    private func fire() {
        let now = clock.now
        let remaining = state.withLock { state -> Duration? in
            let quietFor = now - state.lastActivity
            if quietFor < quietPeriod { return quietPeriod - quietFor }
            state.armed = false
            return nil
        }
        if let remaining {
            loop.runAfter(remaining) { [self] in fire() }
        } else {
            // Keep 8 KiB below this frame for the calls that follow.
            _ = cmalloc_release_unused_stack(8 * 1024)
            malloc_trim(0)
        }
    }
}
