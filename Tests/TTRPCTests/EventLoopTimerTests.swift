import Synchronization
import TestSupport
import Testing

@testable import TTRPC

/// Timers on the event loop (epoll_wait's timeout): what the shim's idle
/// memory trim runs on.
@Suite struct EventLoopTimerTests {
    @Test func timersFireOnTheLoopThreadSoonestFirst() async throws {
        let loop = try TTRPCEventLoop()
        defer { loop.stop() }
        let fired = NameRecord()
        loop.runAfter(.milliseconds(60)) { fired.add(loop.inLoop ? "later" : "later, off the loop") }
        loop.runAfter(.milliseconds(5)) { fired.add(loop.inLoop ? "sooner" : "sooner, off the loop") }
        try await fired.wait(for: 2)
        #expect(fired.names == ["sooner", "later"], "soonest first, each on the loop's own thread")
    }

    @Test func aCancelledTimerNeverFires() async throws {
        let loop = try TTRPCEventLoop()
        defer { loop.stop() }
        let fired = NameRecord()
        // Long enough that the cancel surely comes first, even on a busy machine.
        let cancelled = loop.runAfter(.milliseconds(300)) { fired.add("cancelled") }
        loop.cancel(cancelled)
        loop.cancel(cancelled)  // a second cancel is ignored
        loop.runAfter(.milliseconds(500)) { fired.add("kept") }
        try await fired.wait(for: 1)
        #expect(fired.names == ["kept"])
    }

    @Test func aZeroOrNegativeDelayRunsOnTheNextTurn() async throws {
        let loop = try TTRPCEventLoop()
        defer { loop.stop() }
        let fired = NameRecord()
        loop.runAfter(.zero) { fired.add("zero") }
        loop.runAfter(.seconds(-1)) { fired.add("negative") }
        try await fired.wait(for: 2)
        #expect(Set(fired.names) == ["zero", "negative"])
    }
}
