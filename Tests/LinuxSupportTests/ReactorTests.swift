import Synchronization
import SystemPackage
import TestSupport
import Testing

@testable import LinuxSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The one event loop under every library: descriptors, work from other
/// threads, timers, driving by another loop, and stopping.
@Suite struct ReactorTests {
    @Test func workRunsOnTheLoopThreadInOrder() async throws {
        let reactor = try Reactor(name: "test-loop")
        try reactor.startThread()
        defer { reactor.stop() }
        let record = NameRecord()
        for index in 0..<100 {
            reactor.execute { record.add(reactor.inLoop ? "\(index)" : "off the loop") }
        }
        try await record.wait(for: 100)
        #expect(record.names == (0..<100).map { "\($0)" })
        #expect(!reactor.inLoop)
    }

    @Test func aWatchedPipeIsReportedReadableUntilUnwatched() async throws {
        let reactor = try Reactor(name: "test-loop")
        try reactor.startThread()
        defer { reactor.stop() }
        let ends = try OwnedDescriptor.pipe()
        let record = NameRecord()
        let readFD = ends.read.rawValue
        try reactor.watch(readFD, .readable) { events in
            var byte: UInt8 = 0
            _ = read(readFD, &byte, 1)
            record.add(events.contains(.readable) ? "read \(Character(UnicodeScalar(byte)))" : "other")
        }
        #expect(throws: Errno.fileExists) { try reactor.watch(readFD, .readable) { _ in } }
        var byte = UInt8(ascii: "a")
        _ = write(ends.write.rawValue, &byte, 1)
        try await record.wait(for: 1)
        #expect(record.names == ["read a"])
        reactor.unwatch(readFD)
        #expect(!reactor.isWatching(readFD))
        byte = UInt8(ascii: "b")
        _ = write(ends.write.rawValue, &byte, 1)
        // A marker queued after the write: the unwatched pipe reported nothing before it.
        reactor.execute { record.add("marker") }
        try await record.wait(for: 2)
        #expect(record.names == ["read a", "marker"])
    }

    @Test func timersFireSoonestFirstAndACancelledOneNever() async throws {
        let reactor = try Reactor(name: "test-loop")
        try reactor.startThread()
        defer { reactor.stop() }
        let record = NameRecord()
        reactor.schedule(after: .milliseconds(80)) { record.add(reactor.inLoop ? "later" : "off the loop") }
        let cancelled = reactor.schedule(after: .milliseconds(40)) { record.add("cancelled") }
        reactor.schedule(after: .milliseconds(5)) { record.add("sooner") }
        reactor.cancel(cancelled)
        reactor.cancel(cancelled)  // ignored
        reactor.schedule(after: .seconds(-1)) { record.add("past") }
        try await record.wait(for: 3)
        try await Task.sleep(for: .milliseconds(50))
        #expect(record.names == ["past", "sooner", "later"])
    }

    @Test func aDrivenReactorRunsOnlyWhenItsDriverCallsIt() async throws {
        let driven = try Reactor(name: "driven")
        let driver = try Reactor(name: "driver")
        try driver.startThread()
        defer { driver.stop() }
        let record = NameRecord()
        try driver.watch(driven.descriptor, .readable) { _ in driven.runReady() }
        driven.execute { record.add(driver.inLoop && driven.inLoop ? "work on the driver's thread" : "elsewhere") }
        driven.schedule(after: .milliseconds(20)) { record.add("timer") }
        try await record.wait(for: 2)
        #expect(record.names == ["work on the driver's thread", "timer"])
    }

    @Test func runReturnsAfterStopAndTheWorkQueuedBeforeIt() throws {
        let reactor = try Reactor(name: "test-loop")
        let record = NameRecord()
        reactor.execute { record.add("first") }
        reactor.execute { reactor.stop() }
        reactor.execute { record.add("queued with the stop") }
        reactor.run()  // this thread, until stopped
        #expect(record.names == ["first", "queued with the stop"])
        #expect(reactor.failedWith == nil)
    }

    @Test func anEventOfADescriptorUnwatchedInTheSameBatchIsDropped() async throws {
        let reactor = try Reactor(name: "test-loop")
        try reactor.startThread()
        defer { reactor.stop() }
        let first = try OwnedDescriptor.pipe()
        let second = try OwnedDescriptor.pipe()
        let record = NameRecord()
        let firstFD = first.read.rawValue
        let secondFD = second.read.rawValue
        // Whichever fires first unwatches the other: the other's event of
        // the same epoll_wait must not reach its handler.
        try reactor.watch(firstFD, .readable) { _ in
            record.add("handled")
            reactor.unwatch(firstFD)
            reactor.unwatch(secondFD)
        }
        try reactor.watch(secondFD, .readable) { _ in
            record.add("handled")
            reactor.unwatch(firstFD)
            reactor.unwatch(secondFD)
        }
        var byte: UInt8 = 1
        _ = write(first.write.rawValue, &byte, 1)
        _ = write(second.write.rawValue, &byte, 1)
        try await record.wait(for: 1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(record.names == ["handled"])
    }

    @Test func aTaskPreferringTheReactorRunsOnItsThread() async throws {
        let reactor = try Reactor(name: "test-loop")
        try reactor.startThread()
        defer { reactor.stop() }
        let onLoop = await Task(executorPreference: reactor) { reactor.inLoop }.value
        #expect(onLoop)
    }
}
