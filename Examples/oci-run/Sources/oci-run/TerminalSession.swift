import Console
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The container's terminal: runc creates the pty inside the container and
/// sends its master over a console socket; this relays the master to and
/// from our own terminal (or whatever our stdin and stdout are), with our
/// terminal in raw mode so every key, Ctrl-C included, reaches the
/// container as typed.
final class TerminalSession: Sendable {
    let socket: ConsoleSocket
    private let relay: ConsoleRelay
    private let state = Mutex<State>(State())

    private struct State {
        var master: ConsoleDescriptor?
        var output: RelayStream?
        var saved: termios?
    }

    /// A console socket in `directory` (runc's `--console-socket`) and a relay with its own thread.
    init(directory: String) throws(RunError) {
        do {
            socket = try ConsoleSocket(parent: directory)
            relay = try ConsoleRelay()
        } catch {
            throw RunError.failed("cannot set up the terminal: \(error)")
        }
    }

    /// Waits (on a thread of its own) for runc to send the pty master.
    func receiveMaster() async throws(RunError) {
        let socket = self.socket
        let result = await Task.detached { () -> Result<ConsoleDescriptor, ConsoleError> in
            do throws(ConsoleError) {
                return .success(try socket.receiveMaster(timeout: .seconds(30)))
            } catch {
                return .failure(error)
            }
        }.value
        switch result {
        case .success(let master): state.withLock { $0.master = master }
        case .failure(let error): throw RunError.failed("runc sent no terminal: \(error)")
        }
    }

    /// Starts relaying: the master to our stdout, our stdin to the master.
    /// When stdin is a terminal it goes raw and the container's terminal
    /// takes its size.
    func attach() throws(RunError) {
        guard let master = state.withLock({ $0.master }) else { throw RunError.failed("no terminal to attach") }
        do {
            if isatty(0) == 1 {
                let ours = Terminal(0)
                let saved = try ours.makeRaw()
                state.withLock { $0.saved = saved }
                try Terminal(master).copySize(from: ours)
            }
            let output = try relay.relay(from: master, to: ConsoleDescriptor(taking: fcntl(1, F_DUPFD_CLOEXEC, 0)))
            state.withLock { $0.output = output }
            try relay.relay(from: ConsoleDescriptor(taking: fcntl(0, F_DUPFD_CLOEXEC, 0)), to: master)
        } catch {
            throw RunError.failed("cannot relay the terminal: \(error)")
        }
    }

    /// Gives the container's terminal our terminal's size (on SIGWINCH).
    func resize() {
        guard isatty(0) == 1, let master = state.withLock({ $0.master }) else { return }
        try? Terminal(master).copySize(from: Terminal(0))
    }

    /// After the container's exit: lets the output drain (until the pty
    /// reports the container's side closed, at most two seconds), stops the
    /// relay and gives our terminal its settings back.
    func finish() async {
        if let output = state.withLock({ $0.output }) { await Self.waitForEnd(of: output, atMost: .seconds(2)) }
        await relay.shutdown(flushTimeout: .seconds(1))
        let (saved, master) = state.withLock { ($0.saved, $0.master) }
        if let saved { try? Terminal(0).setAttributes(saved) }
        master?.close()
        socket.close()
    }

    /// Returns when `stream` ends or `limit` passes, whichever is first.
    private static func waitForEnd(of stream: RelayStream, atMost limit: Duration) async {
        let resumed = Flag()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeOnce = { @Sendable in
                if resumed.setFirst() { continuation.resume() }
            }
            Task {
                _ = await stream.finished()
                resumeOnce()
            }
            Task {
                try? await Task.sleep(for: limit)
                resumeOnce()
            }
        }
    }
}

/// A flag that is set once; the first to set it is told so.
private final class Flag: Sendable {
    private let value = Mutex(false)

    /// Sets the flag; true only for the call that set it.
    func setFirst() -> Bool {
        value.withLock { isSet in
            defer { isSet = true }
            return !isSet
        }
    }
}
