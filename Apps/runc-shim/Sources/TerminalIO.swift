import Console
import Synchronization
import TTRPC

/// Terminals of the shim's processes: a console socket per runc call that
/// asks for one, and one ``ConsoleRelay`` (started with the first terminal)
/// moving stdin FIFO -> pty master and pty master -> stdout for all of them.
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
            // runc sent the master before it returned, so this does not wait.
            let master = try socket.receiveMaster(timeout: .seconds(10))
            let relay = try sharedRelay()
            if let input = process.io.terminalInput { try relay.relay(from: input, to: master) }
            if let output = process.io.terminalOutput { process.io.setOutputRelay(try relay.relay(from: master, to: output)) }
            await process.attachConsole(master)
        } catch {
            throw TTRPCFailure.failed("cannot set up the terminal: \(error)")
        }
    }

    /// The shim's one relay, started on first use.
    func sharedRelay() throws(ConsoleError) -> ConsoleRelay {
        try relay.withLock { (current: inout ConsoleRelay?) throws(ConsoleError) -> ConsoleRelay in
            if let current { return current }
            let created = try ConsoleRelay()
            current = created
            return created
        }
    }
}
