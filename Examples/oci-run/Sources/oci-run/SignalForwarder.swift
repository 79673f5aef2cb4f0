import Reaper
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Passes the signals oci-run receives (on the Reaper's signalfd) to the
/// container's first process once it runs, and SIGWINCH to the terminal.
/// A terminating signal that comes before the container started stops the
/// run instead.
final class SignalForwarder: Sendable {
    /// The signals oci-run takes: all of them are blocked and read from the Reaper's signalfd.
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

    private let state = Mutex<State>(State())

    private struct State {
        var reaper: Reaper?
        var initPid: Int32?
        var terminal: TerminalSession?
        var earlySignal: Int32?
    }

    func attach(reaper: Reaper) { state.withLock { $0.reaper = reaper } }
    func attach(terminal: TerminalSession) { state.withLock { $0.terminal = terminal } }

    /// From now on signals go to `pid`, through the Reaper, which never
    /// signals a pid it has already reaped.
    func forward(to pid: Int32) { state.withLock { $0.initPid = pid } }

    /// A terminating signal received before ``forward(to:)``, if any.
    var earlySignal: Int32? { state.withLock { $0.earlySignal } }

    /// Called on the Reaper's thread for each signal; never blocks.
    func received(_ signal: Int32) {
        let (reaper, pid, terminal) = state.withLock { state in
            if state.initPid == nil, signal != SIGWINCH, state.earlySignal == nil { state.earlySignal = signal }
            return (state.reaper, state.initPid, state.terminal)
        }
        if signal == SIGWINCH {
            terminal?.resize()
            return
        }
        guard let reaper, let pid else { return }
        Task { _ = try? await reaper.signalIfRunning(pid, signal: signal) }
    }
}
