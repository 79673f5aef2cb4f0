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
    public init() {}

    public func run(_ command: MonitorCommand) async throws -> MonitorResult {
        let child = try DirectSpawn.spawn(command)
        return await withCheckedContinuation { continuation in
            DetachedThread.start {
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
        var closeAfter: [Int32] = []
        var ours: [Int32?] = [nil, nil, nil]
        var sources: [Int32] = []
        func failure(_ what: String, _ code: Int32) -> RuncError {
            for fd in closeAfter + ours.compactMap({ $0 }) { close(fd) }
            return RuncError(
                command: command.arguments.first ?? command.executable, message: "\(what) for \(command.executable)",
                errno: Errno(rawValue: code))
        }
        for (index, stream) in [command.stdin, command.stdout, command.stderr].enumerated() {
            switch stream {
            case .inherit: sources.append(Int32(index))
            case .descriptor(let fd): sources.append(fd)
            case .null:
                let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
                guard fd >= 0 else { throw failure("cannot open /dev/null", errno) }
                closeAfter.append(fd)
                sources.append(fd)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { throw failure("cannot create a pipe", errno) }
                for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                let (child, parent) = index == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
                closeAfter.append(child)
                ours[index] = parent
                sources.append(child)
            }
        }
        sources += command.extraDescriptors
        // Copy every source above all targets first, so no dup2 overwrites a
        // source still to be used; dup2 then clears close-on-exec on the target.
        var copies: [Int32] = []
        for source in sources {
            let copy = fcntl(source, F_DUPFD_CLOEXEC, Int32(sources.count + 3))
            guard copy >= 0 else {
                for fd in copies { close(fd) }
                throw failure("cannot duplicate descriptor \(source)", errno)
            }
            copies.append(copy)
        }
        defer { for fd in copies { close(fd) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, copy) in copies.enumerated() { posix_spawn_file_actions_adddup2(&actions, copy, Int32(target)) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        var all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let argv = ([command.executable] + command.arguments).map { strdup($0) } + [nil]
        let envp = command.environment.map { $0.map { strdup($0) } + [nil] }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp ?? [] { free(pointer) }
        }
        let result: Int32
        if let envp {
            result = posix_spawnp(&pid, command.executable, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawnp(&pid, command.executable, &actions, &attributes, argv, environ)
        }
        guard result == 0 else { throw failure("cannot start", result) }
        for fd in closeAfter { close(fd) }
        return Child(pid: pid, stdin: ours[0], stdout: ours[1], stderr: ours[2])
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
            if poll(&polls, nfds_t(polls.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polls where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let written = input.withUnsafeBytes { raw in
                        write(entry.fd, raw.baseAddress.map { $0 + inputOffset }, raw.count - inputOffset)
                    }
                    if written > 0 { inputOffset += written }
                    if written < 0 && errno != EINTR && errno != EAGAIN || inputOffset >= input.count {
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
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return MonitorResult(pid: child.pid, exitStatus: code, stdout: stdout, stderr: stderr)
    }
}

/// Runs a closure on a new detached thread (for blocking work that must not
/// hold a thread of the concurrency pool).
enum DetachedThread {
    private final class Box {
        let work: @Sendable () -> Void
        init(_ work: @escaping @Sendable () -> Void) { self.work = work }
    }

    static func start(_ work: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(work)).toOpaque()
        var thread = pthread_t()
        if pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<Box>.fromOpaque(context).takeRetainedValue().work()
                return nil
            }, box) == 0
        {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).takeRetainedValue().work()
        }
    }
}
