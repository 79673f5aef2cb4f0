import Console
import Synchronization
import TTRPC

/// Terminals of the shim's processes: a console socket per runc call that
/// asks for one, and one ``ConsoleRelay`` (made with the first terminal,
/// exec or log file, on the shim's reactor) moving stdin FIFO -> pty
/// master and pty master -> stdout for all of them.
final class TerminalIO: Sendable {
    private let relay = Mutex<ConsoleRelay?>(nil)

    /// A console socket for `runc --console-socket`.
    func socket() throws(TTRPCError) -> ConsoleSocket {
        do {
            return try ConsoleSocket(parent: "/tmp")
        } catch {
            throw TTRPCFailure.failed("cannot create a console socket: \(error)")
        }
    }

    /// Receives the pty master runc sent and relays the process's stdio through it.
    func attach(_ socket: ConsoleSocket, to process: ShimProcess) async throws(TTRPCError) {
        do {
            // runc has exited: the master it sent is queued, or it never will
            // be. So no wait at all, and the loop is never held up here.
            let master = try socket.receiveMaster(timeout: .zero)
            let relay = try sharedRelay()
            if let input = process.io.terminalInput { try relay.relay(from: input, to: master) }
            if let output = process.io.terminalOutput { process.io.setOutputRelay(try relay.relay(from: master, to: output)) }
            await process.attachConsole(master)
        } catch {
            throw TTRPCFailure.failed("cannot set up the terminal: \(error)")
        }
    }

    /// The shim's one relay, made on first use on the shim's reactor (no
    /// thread of its own): a stream's end resumes its waiter on the thread
    /// that saw it.
    func sharedRelay() throws(ConsoleError) -> ConsoleRelay {
        try relay.withLock { (current: inout ConsoleRelay?) throws(ConsoleError) -> ConsoleRelay in
            if let current { return current }
            let created = ConsoleRelay(reactor: ShimLoop.reactor)
            current = created
            return created
        }
    }
}
