import CReaperLinux
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
    public let stdout: FileDescriptor?
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
        var cleanup: [Int32] = []  // child ends and /dev/null, closed after the spawn
        var ours: [Int32?] = [nil, nil, nil]
        var sources: [Int32] = []
        func fail(_ operation: String, _ error: Errno) -> ReaperError {
            for fd in cleanup { close(fd) }
            for fd in ours.compactMap({ $0 }) { close(fd) }
            return ReaperError(operation: operation, errno: error, path: command.executable)
        }
        for (index, stream) in [command.stdin, command.stdout, command.stderr].enumerated() {
            switch stream {
            case .inherit:
                sources.append(Int32(index))
            case .descriptor(let fd):
                sources.append(fd)
            case .null:
                let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
                guard fd >= 0 else { throw fail("open /dev/null", Errno(rawValue: errno)) }
                cleanup.append(fd)
                sources.append(fd)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard creaper_pipe(&ends) == 0 else { throw fail("pipe2", Errno(rawValue: errno)) }
                let (child, parent) = index == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                cleanup.append(child)
                ours[index] = parent
                sources.append(child)
            }
        }
        sources += command.extraDescriptors
        var pid: pid_t = 0
        // A name without a slash is looked up in PATH, as execvp(3) does.
        let searchesPath: Int32 = command.executable.utf8.contains(UInt8(ascii: "/")) ? 0 : 1
        let result = withCStrings([command.executable] + command.arguments) { argv in
            withOptionalCStrings(command.environment) { envp in
                sources.withUnsafeBufferPointer { list in
                    let group: Int32 = command.ownProcessGroup ? 0 : -1
                    if let directory = command.directory {
                        return directory.withCString { dir in
                            creaper_spawn(
                                &pid, command.executable, searchesPath, argv, envp, dir,
                                list.baseAddress, Int32(list.count), command.newSession ? 1 : 0, group)
                        }
                    }
                    return creaper_spawn(
                        &pid, command.executable, searchesPath, argv, envp, nil,
                        list.baseAddress, Int32(list.count), command.newSession ? 1 : 0, group)
                }
            }
        }
        guard result == 0 else { throw fail("posix_spawn", Errno(rawValue: result)) }
        for fd in cleanup { close(fd) }
        return SpawnedProcess(
            pid: pid, stdin: ours[0].map(FileDescriptor.init(rawValue:)), stdout: ours[1].map(FileDescriptor.init(rawValue:)),
            stderr: ours[2].map(FileDescriptor.init(rawValue:)))
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
                collector.timer = loop.schedule(afterNanoseconds: nanoseconds) {
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

/// Calls `body` with a NULL-terminated C string array.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

func withOptionalCStrings<R>(_ strings: [String]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    guard let strings else { return body(nil) }
    return withCStrings(strings) { body($0) }
}
