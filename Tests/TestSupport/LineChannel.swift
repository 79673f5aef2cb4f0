import Foundation

/// A helper program driven one line at a time: a request line written to
/// its stdin, one reply line read from its stdout. Its stderr goes to a
/// file, shown when it fails. Stopped by its pid.
public final class LineChannel: @unchecked Sendable {
    private let pid: pid_t
    private let input: Int32
    private let output: Int32
    private let errorPath: String
    private var pending: [UInt8] = []
    private var stopped = false
    private let lock = NSLock()

    public init(_ arguments: [String], environment: [String: String]? = nil) throws {
        errorPath = "/tmp/line-channel-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let errorFD = open(errorPath, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(errorFD) }
        var resolved = arguments
        resolved[0] = try Command.resolve(arguments[0])
        let child = try Spawn.start(resolved, directory: nil, environment: environment, errors: errorFD)
        pid = child.pid
        input = child.stdin
        output = child.stdout
    }

    /// Writes `line` (a newline is added) and returns the next line of
    /// output, without its newline. Blocks; one exchange at a time.
    public func exchange(_ line: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(input, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw failure("cannot write to the helper (errno \(errno))") }
            offset += written
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let reply = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return reply
            }
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw failure("the helper closed its output") }
            pending += buffer[0..<count]
        }
    }

    /// What the helper wrote to stderr so far.
    public var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    private func failure(_ message: String) -> CommandError {
        CommandError(command: ["line-channel"], result: CommandResult(status: -1, stdout: [], stderr: Array("\(message): \(errors)".utf8)))
    }

    /// Closes its stdin (it exits at end of input), then SIGKILL after 5 s.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        close(input)
        Spawn.reap(pid, within: 5)
        close(output)
    }

    deinit {
        stop()
        unlink(errorPath)
    }
}
