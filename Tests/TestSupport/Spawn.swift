import Foundation
import LinuxSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Starting programs for tests with posix_spawn(3) and waiting for them with
/// waitpid(pid): no Foundation `Process`, which was seen to miss the exit of
/// a child when many start at once and hang the test.
enum Spawn {
    struct Child {
        var pid: pid_t
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32
    }

    /// Starts `arguments` with pipes for stdin/stdout/stderr (or `output`
    /// as both stdout and stderr when given; the child's stdout and stderr
    /// are then -1 here, and closing -1 is harmless).
    /// With `errors` (and no `output`), stderr goes there and stdout stays a pipe.
    static func start(
        _ arguments: [String], directory: String?, environment: [String: String]?, output: Int32? = nil, errors: Int32? = nil
    ) throws -> Child {
        let outputStream: ProcessSpawn.Stream = output.map { .descriptor($0) } ?? .pipe
        let errorStream: ProcessSpawn.Stream = errors.map { .descriptor($0) } ?? outputStream
        do {
            // Every pipe is close-on-exec from the start: an end leaked into
            // a child started at the same moment by another test could keep
            // a pipe open forever.
            let launched = try ProcessSpawn.launch(
                executable: arguments[0], arguments: arguments, environment: environment.map { $0.map { "\($0.key)=\($0.value)" } },
                directory: directory, streams: (.pipe, outputStream, errorStream))
            return Child(pid: launched.pid, stdin: launched.stdin ?? -1, stdout: launched.stdout ?? -1, stderr: launched.stderr ?? -1)
        } catch {
            throw CommandError.spawn(arguments, error.errno.rawValue)
        }
    }

    /// Feeds `input`, collects stdout and stderr until both close, and waits.
    static func finish(_ child: Child, input: [UInt8]) -> CommandResult {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var offset = 0
        var stdinFD: Int32? = child.stdin
        if input.isEmpty {
            close(child.stdin)
            stdinFD = nil
        }
        var open = [child.stdout, child.stderr].filter { $0 >= 0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || stdinFD != nil {
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if let fd = stdinFD { polls.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if poll(&polls, nfds_t(polls.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polls where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let written = input.withUnsafeBytes { write(entry.fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
                    if written > 0 { offset += written }
                    if written <= 0 || offset >= input.count {
                        close(entry.fd)
                        stdinFD = nil
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == child.stderr { stderr += buffer[0..<count] } else { stdout += buffer[0..<count] }
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        return CommandResult(status: wait(child.pid), stdout: stdout, stderr: stderr)
    }

    /// waitpid(pid): the exit code, or 128 plus the signal.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// The exit code (or 128 plus the signal) if `pid` has exited, reaping it; nil while it runs.
    static func exitStatusIfExited(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Waits up to `seconds` for `pid` to exit, then SIGKILLs it; reaped either way.
    static func reap(_ pid: pid_t, within seconds: TimeInterval) {
        let deadline = Date().addingTimeInterval(seconds)
        while !reapIfExited(pid) {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = wait(pid)
                return
            }
            usleep(10_000)
        }
    }

    /// Whether `pid` has exited (reaping it if so), without blocking.
    static func reapIfExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid || (result < 0 && errno == ECHILD)
    }
}

extension CommandError {
    static func spawn(_ arguments: [String], _ code: Int32) -> CommandError {
        CommandError(command: arguments, result: CommandResult(status: 127, stdout: [], stderr: Array("cannot start: errno \(code)".utf8)))
    }
}
