import CReaperLinux
internal import LinuxSupport
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A child started with ``Reaper/spawn(_:)``.
public struct SpawnedProcess: Sendable {
    /// Its pid; wait for it with ``Reaper/wait(for:)`` (or ``Reaper/release(_:)`` its exit).
    public let pid: Int32
    /// Our ends of the pipes asked for with `.pipe`; the caller owns and closes them.
    public let stdin: FileDescriptor?
    /// Our read end of the stdout pipe, when the command asked for `.pipe`; the caller owns and closes it.
    public let stdout: FileDescriptor?
    /// Our read end of the stderr pipe, when the command asked for `.pipe`; the caller owns and closes it.
    public let stderr: FileDescriptor?
}

extension Reaper {
    /// Starts a command with posix_spawn(3): the given stdio and extra
    /// descriptors, an empty signal mask and default signal dispositions,
    /// optionally a new session or its own process group.
    ///
    /// Its exit is kept for ``wait(for:)`` even if the child is gone before
    /// this returns. For `.pipe` streams the caller gets our ends; `input`
    /// is ignored here (see ``run(_:)``).
    public func spawn(_ command: ReaperCommand) throws(ReaperError) -> SpawnedProcess {
        let launched: ProcessSpawn.Launched
        do {
            launched = try ProcessSpawn.launch(
                executable: command.executable, arguments: [command.executable] + command.arguments,
                environment: command.environment, directory: command.directory,
                streams: (command.stdin.spawnStream, command.stdout.spawnStream, command.stderr.spawnStream),
                extra: command.extraDescriptors,
                grouping: command.newSession ? .newSession : command.ownProcessGroup ? .newProcessGroup : .inherit)
        } catch {
            throw ReaperError(operation: error.operation, errno: error.errno, path: command.executable)
        }
        return SpawnedProcess(
            pid: launched.pid, stdin: launched.stdin.map(FileDescriptor.init(rawValue:)),
            stdout: launched.stdout.map(FileDescriptor.init(rawValue:)), stderr: launched.stderr.map(FileDescriptor.init(rawValue:)))
    }

    /// Runs a command to completion: writes `input` to a `.pipe` stdin,
    /// collects `.pipe` stdout and stderr, kills it (SIGKILL) after
    /// `timeout`, and returns its exit with the output.
    ///
    /// Output is read until the pipes close; if the child has exited but a
    /// process it started still holds a pipe open, reading stops shortly
    /// after the exit instead of waiting for that process.
    /// Cancelling the task kills the child; the exit is still reaped.
    public func run(_ command: ReaperCommand) async throws(ReaperError) -> ReaperOutput {
        let child = try spawn(command)
        hub.adjustRunning(1)
        loop.ensureSweep()
        defer { hub.adjustRunning(-1) }
        let collector = OutputCollector(
            loop: loop, stdin: child.stdin?.rawValue, input: command.input, stdout: child.stdout?.rawValue,
            stderr: child.stderr?.rawValue)
        let timedOut = Atomic<Bool>(false)
        let pid = child.pid
        let group = command.newSession || command.ownProcessGroup
        let loop = self.loop
        loop.execute {
            collector.start()
            if let timeout = command.timeout {
                let (seconds, attoseconds) = timeout.components
                let nanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
                collector.timer = loop.reactor.schedule(afterNanoseconds: nanoseconds) {
                    if Self.killIfStillOurs(pid, group: group) { timedOut.store(true, ordering: .relaxed) }
                }
            }
        }
        let hub = self.hub
        let waited: Result<ProcessExit, ReaperError> = await withTaskCancellationHandler {
            do throws(ReaperError) {
                return .success(try await hub.wait(for: child.pid, cancellable: false))
            } catch {
                return .failure(error)
            }
        } onCancel: {
            loop.execute { _ = Self.killIfStillOurs(pid, group: group) }
        }
        let exit = try waited.get()
        let (stdout, stderr) = await collector.result()
        return ReaperOutput(exit: exit, stdout: stdout, stderr: stderr, timedOut: timedOut.load(ordering: .relaxed))
    }
}

extension Reaper {
    /// Sends `signal` to `pid` only while it is this process's child and not
    /// yet reaped: waitid(2) with WNOWAIT, then kill(2), both on the Reaper's
    /// loop, where reaping happens, so the pid cannot be reaped and handed to
    /// another process in between. Returns false when the child was already
    /// reaped (or never was ours): nothing was sent.
    ///
    /// A re-parented orphan (a `runc exec --detach` process, once runc has
    /// exited, for a subreaper) counts as a child.
    public func signalIfRunning(_ pid: Int32, signal: Int32) async throws(ReaperError) -> Bool {
        let result: Result<Bool, ReaperError> = await withCheckedContinuation { continuation in
            loop.execute {
                guard creaper_is_unreaped_child(pid) != 0 else {
                    continuation.resume(returning: .success(false))
                    return
                }
                if kill(pid, signal) == 0 {
                    continuation.resume(returning: .success(true))
                } else {
                    let error = Errno(rawValue: errno)
                    continuation.resume(
                        returning: error == .noSuchProcess
                            ? .success(false) : .failure(ReaperError(operation: "kill(\(pid), \(signal))", errno: error)))
                }
            }
        }
        return try result.get()
    }

    /// SIGKILLs `pid` (or its process group) only if it is still our
    /// unreaped child. Runs on the reaper thread, where reaping happens too,
    /// so the pid cannot be reaped and reused between the check and the kill.
    static func killIfStillOurs(_ pid: Int32, group: Bool) -> Bool {
        guard creaper_is_unreaped_child(pid) != 0 else { return false }
        return kill(group ? -pid : pid, SIGKILL) == 0
    }
}

extension ReaperCommand.Stream {
    var spawnStream: ProcessSpawn.Stream {
        switch self {
        case .null: .null
        case .inherit: .inherit
        case .descriptor(let fd): .descriptor(fd)
        case .pipe: .pipe
        }
    }
}
