import Console
import Foundation

/// A program run on a pty that the test types into and reads from: the
/// program's stdin, stdout and stderr are the slave, made its controlling
/// terminal by `setsid -c`, as a user's shell would have it.
final class TerminalDriver: @unchecked Sendable {
    let pty: Pty
    let pid: pid_t
    private var output = ""

    init(_ arguments: [String], size: WindowSize = WindowSize(rows: 24, columns: 80)) throws {
        pty = try Pty()
        try pty.masterTerminal.setWindowSize(size)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for target in Int32(0)...2 { posix_spawn_file_actions_adddup2(&actions, pty.slave.rawValue, target) }
        let argv = (["/usr/bin/setsid", "-c"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/usr/bin/setsid", &actions, nil, argv, environ)
        guard result == 0 else { throw ConsoleError(operation: "posix_spawn", errno: .init(rawValue: result)) }
        pid = child
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(pty.master.rawValue, $0.baseAddress, $0.count) }
    }

    /// Reads until `marker` appears in what arrived since the last call (or `seconds` pass).
    func read(until marker: String, seconds: Double = 20) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline, !output.contains(marker) {
            var entry = pollfd(fd: pty.master.rawValue, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            let count = Glibc.read(pty.master.rawValue, &buffer, buffer.count)
            if count <= 0 { break }
            output += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        defer { output = "" }
        return output
    }

    /// Resizes the terminal; the program gets SIGWINCH.
    func resize(_ size: WindowSize) throws {
        try pty.masterTerminal.setWindowSize(size)
    }

    /// Waits for the program's exit status (128 + signal), or kills it after `seconds`.
    func wait(seconds: Double = 20) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F) }
            _ = read(until: "\u{0}", seconds: 0.05)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return -1
    }
}
