import LinuxSupport
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The shim's one event loop, run by the main thread: ttrpc (server and
/// event client), the Reaper's signalfds and runc's pipes, the terminal
/// relay, OOM watches, timers and the idle trim all share this reactor, and
/// every RPC's work runs on it as a task executor. An idle shim is one
/// thread.
enum ShimLoop {
    /// The reactor; the process cannot work without one.
    static let reactor: Reactor = {
        do {
            return try Reactor(name: "shim-loop")
        } catch {
            let message = "containerd shim: cannot create the event loop (epoll, eventfd, timerfd): \(error)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            exit(1)
        }
    }()

    /// The reactor as TTRPC's loop and as the executor RPC work prefers.
    static let ttrpc = TTRPCEventLoop(reactor: reactor)
}
