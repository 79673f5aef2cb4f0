internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A ``ProcessMonitor`` for processes without a reaper: posix_spawn(3), then
/// a short-lived thread pumps the pipes and waits with waitpid(pid).
///
/// Do not use it in a process whose reaper calls `wait4(-1)` (a shim): the
/// reaper would take the exit first. Give Runc the reaper's monitor there.
public struct DirectMonitor: ProcessMonitor {
    /// A monitor; it holds no state.
    public init() {}

    public func run(_ command: MonitorCommand) async throws -> MonitorResult {
        let child = try DirectSpawn.spawn(command)
        return await withCheckedContinuation { continuation in
            do {
                try DetachedThread.start(name: "runc-monitor", stackSize: 128 * 1024) {
                    continuation.resume(returning: DirectSpawn.finish(child, input: command.input))
                }
            } catch {
                // No thread to spare: finish here, blocking this one.
                continuation.resume(returning: DirectSpawn.finish(child, input: command.input))
            }
        }
    }
}

/// posix_spawn with pipes, and the blocking pump that finishes a child.
enum DirectSpawn {
    struct Child: Sendable {
        var pid: pid_t
        var stdin: Int32?
        var stdout: Int32?
        var stderr: Int32?
    }

    static func spawn(_ command: MonitorCommand) throws(RuncError) -> Child {
        do {
            let launched = try ProcessSpawn.launch(
                executable: command.executable, arguments: [command.executable] + command.arguments,
                environment: command.environment, directory: nil,
                streams: (command.stdin.spawnStream, command.stdout.spawnStream, command.stderr.spawnStream),
                extra: command.extraDescriptors)
            return Child(pid: launched.pid, stdin: launched.stdin, stdout: launched.stdout, stderr: launched.stderr)
        } catch {
            throw RuncError(
                command: command.arguments.first ?? command.executable,
                message: "\(error.operation) failed for \(command.executable)", errno: error.errno)
        }
    }

    /// Feeds stdin, drains stdout and stderr, and reaps the child. Blocking.
    static func finish(_ child: Child, input: [UInt8]) -> MonitorResult {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)  // a closed stdin is EPIPE, not death
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var inputOffset = 0
        var stdinFD = child.stdin
        if input.isEmpty, let fd = stdinFD {
            close(fd)
            stdinFD = nil
        }
        var open: [Int32] = [child.stdout, child.stderr].compactMap { $0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || stdinFD != nil {
            var polls = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if let fd = stdinFD { polls.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if SystemCall.retryingInterrupts("poll", { poll(&polls, nfds_t(polls.count), -1) }) < 0 { break }
            for entry in polls where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let written = input.withUnsafeBytes { raw in
                        SystemCall.retryingInterrupts("write") {
                            write(entry.fd, raw.baseAddress.map { $0 + inputOffset }, raw.count - inputOffset)
                        }
                    }
                    if written > 0 { inputOffset += written }
                    if written < 0 && errno != EAGAIN || inputOffset >= input.count {
                        close(entry.fd)
                        stdinFD = nil
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { raw in
                    SystemCall.retryingInterrupts("read") { read(entry.fd, raw.baseAddress, raw.count) }
                }
                if count > 0 {
                    if entry.fd == child.stderr { stderr += buffer[0..<count] } else { stdout += buffer[0..<count] }
                } else {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        _ = SystemCall.retryingInterrupts("waitpid") { waitpid(child.pid, &status, 0) }
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return MonitorResult(pid: child.pid, exitStatus: code, stdout: stdout, stderr: stderr)
    }
}

extension MonitorCommand.Stream {
    var spawnStream: ProcessSpawn.Stream {
        switch self {
        case .null: .null
        case .inherit: .inherit
        case .descriptor(let fd): .descriptor(fd)
        case .pipe: .pipe
        }
    }
}
