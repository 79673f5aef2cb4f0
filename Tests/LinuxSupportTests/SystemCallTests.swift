import Synchronization
import SystemPackage
import Testing

@testable import LinuxSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The syscall seam: EINTR is retried, other errors are thrown as Errno,
/// and tests can inject failures per thread.
@Suite struct SystemCallTests {
    @Test func interruptedCallsAreRetriedUntilTheyAnswer() throws {
        let calls = CallCounter()
        SystemCall.injectFailures([.interrupted, .interrupted])
        let result = try SystemCall.retrying("getpid") {
            calls.count += 1; return getpid()
        }
        #expect(result == getpid())
        #expect(calls.count == 1, "the two injected EINTRs never reached the real call")
        #expect(SystemCall.injectedFailuresLeft == 0)
    }

    @Test func otherErrorsAreThrownAsErrno() {
        SystemCall.injectFailures([.resourceTemporarilyUnavailable])
        #expect(throws: Errno.resourceTemporarilyUnavailable) { try SystemCall.retrying("getpid") { getpid() } }
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try SystemCall.retrying("open") { open("/nonexistent/for/sure", O_RDONLY | O_CLOEXEC) }
        }
    }

    @Test func injectedFailuresStayOnTheirThread() throws {
        SystemCall.injectFailures([.resourceBusy])
        let other = Mutex<Bool?>(nil)
        try DetachedThread.start(name: "other") { other.withLock { $0 = (try? SystemCall.retrying("getpid") { getpid() }) != nil } }
        while other.withLock({ $0 }) == nil { usleep(1000) }
        #expect(other.withLock { $0 } == true, "another thread's call was not affected")
        #expect(throws: Errno.resourceBusy) { try SystemCall.retrying("getpid") { getpid() } }
        SystemCall.injectFailures([])
    }

    @Test func aDuplicateNeverTakesTheNumberOfAClosedStdio() throws {
        // With stdin closed, a plain F_DUPFD_CLOEXEC could return 0, and a
        // child started meanwhile with inherited stdio would read from it.
        let saved = fcntl(0, F_DUPFD_CLOEXEC, 10)
        close(0)
        defer {
            if saved >= 0 {
                dup2(saved, 0)
                close(saved)
            }
        }
        let ends = try OwnedDescriptor.pipe()
        let copy = try ends.read.duplicate()
        #expect(copy.rawValue >= 3)
    }

    @Test func anOwnedDescriptorClosesWhenItsOwnerGoesAway() throws {
        var raw: Int32 = -1
        do {
            let ends = try OwnedDescriptor.pipe()
            raw = ends.read.rawValue
            #expect(fcntl(raw, F_GETFD) & FD_CLOEXEC != 0, "close-on-exec")
        }
        #expect(fcntl(raw, F_GETFD) == -1 && errno == EBADF, "closed with its owner")
        let kept: Int32
        do {
            let ends = try OwnedDescriptor.pipe()
            kept = try ends.read.duplicate().take()
        }
        #expect(fcntl(kept, F_GETFD) >= 0, "a taken descriptor stays open")
        close(kept)
    }
}

private final class CallCounter {
    var count = 0
}
