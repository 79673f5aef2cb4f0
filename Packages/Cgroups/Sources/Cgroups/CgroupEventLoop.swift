internal import LinuxSupport
import Synchronization
import SystemPackage

/// The thread (`cgroup-events`, the package's epoll reactor) that waits on
/// every ``OOMWatcher`` feeding an ``Cgroup/oomEvents()`` sequence and runs
/// their handlers; started on first use. Callers with a poll loop of their
/// own use ``OOMWatcher``'s descriptor instead and need no thread.
final class CgroupEventLoop: Sendable {
    static let shared = CgroupEventLoop()

    private let reactor = Mutex<Result<Reactor, Errno>?>(nil)

    /// Calls `handler` on the loop thread whenever `fd` is readable, until ``remove(_:)``.
    func add(_ fd: Int32, handler: @escaping @Sendable () -> Void) throws(CgroupError) {
        do {
            try running().watch(fd, .readable) { _ in handler() }
        } catch {
            throw CgroupError(.system, operation: "epoll_ctl", errno: error)
        }
    }

    func remove(_ fd: Int32) {
        if case .success(let reactor) = self.reactor.withLock({ $0 }) { reactor.unwatch(fd) }
    }

    /// The reactor, started on first use; a failure to start is kept and
    /// reported by every later watch.
    private func running() throws(Errno) -> Reactor {
        let result = reactor.withLock { current -> Result<Reactor, Errno> in
            if let current { return current }
            let started: Result<Reactor, Errno>
            do throws(Errno) {
                let made = try Reactor(name: "cgroup-events")
                try made.startThread(stackSize: 128 * 1024)
                started = .success(made)
            } catch {
                started = .failure(error)
            }
            current = started
            return started
        }
        return try result.get()
    }
}
