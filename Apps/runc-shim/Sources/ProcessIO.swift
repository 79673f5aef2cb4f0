import Console
import Reaper
import Runc
import Synchronization
import SystemPackage
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The stdio of a container process, as containerd describes it: FIFOs the
/// client created (handed to runc as the process's descriptors, so output
/// goes straight to the client), `file:///path` (stdout and stderr appended
/// to a file), or `binary:///path?key=value` (a logger process reading
/// pipes on its fds 3 and 4, ready when it closes fd 5). For a terminal,
/// stdin and stdout are relayed through the pty instead.
///
/// The shim keeps a write handle on the stdin FIFO: a client that detaches
/// does not give the process EOF; CloseIO does.
final class ProcessIO: Sendable {
    let stdinPath: String
    let stdoutPath: String
    let stderrPath: String
    let terminal: Bool
    /// What runc gets as the process's stdio (nothing for a terminal).
    let runcIO: RuncIO
    /// For a terminal: the stdin FIFO's reader and the output destination, for the relay.
    let terminalInput: ConsoleDescriptor?
    let terminalOutput: ConsoleDescriptor?

    private struct Descriptors {
        /// Given to runc; closed once runc has its own.
        var forRunc: [Int32] = []
        var stdinKeeper: Int32 = -1
        /// Our read-write handles on output FIFOs, kept until the client drained them.
        var fifoOutputs: [Int32] = []
        var outputRelay: RelayStream?
        var loggerPid: Int32?
        /// The read end of a `binary://` logger's ready pipe, until ``loggerReady()``.
        var loggerReady: Int32 = -1
        /// Copied outputs: our copy of each pipe's read end and the relay stream draining it into its FIFO.
        var copies: [(pipe: Int32, stream: RelayStream)] = []
        /// For an IO owner other than root: the relay stream from the stdin FIFO into the process's pipe.
        var stdinCopy: RelayStream?
    }

    private let descriptors: Mutex<Descriptors>
    private let reaper: Reaper

    /// With `copyThrough` and no terminal, the process gets pipes, never
    /// containerd's FIFOs: the relay copies (splices) the stdin FIFO into one
    /// and the others into the output FIFOs. So an exec's exit closes the
    /// client's stream even while a background child still holds the pipe
    /// (containerd #7802), and CRIU can checkpoint the process (it cannot dump
    /// a FIFO opened from a mount outside the container; pipes it takes as
    /// external). With an `owner` other than root (runc's IoUid/IoGid) every
    /// pipe belongs to the owner, so a process of that user can reopen its
    /// stdio (`/proc/self/fd/1`, `/dev/stdout`).
    init(
        stdin: String, stdout: String, stderr: String, terminal: Bool, owner: (uid: UInt32, gid: UInt32), containerID: String,
        namespace: String, reaper: Reaper, copyThrough relay: ConsoleRelay? = nil
    ) throws(TTRPCError) {
        stdinPath = stdin
        stdoutPath = stdout
        stderrPath = stderr
        self.terminal = terminal
        self.reaper = reaper
        var state = Descriptors()
        var stdinFD: Int32?
        var outputs: [Int32?] = [nil, nil]
        do {
            if !stdin.isEmpty {
                // Open the read end without waiting for a writer, then keep a
                // writer of our own so the FIFO never reports EOF on its own.
                let reader = try Self.open(stdin, O_RDONLY | O_NONBLOCK)
                state.stdinKeeper = try Self.open(stdin, O_WRONLY | O_NONBLOCK)
                if let relay, !terminal {
                    let fd = try Self.copyStdin(from: reader, relay: relay, owner: owner, state: &state)
                    stdinFD = fd
                    state.forRunc.append(fd)
                } else {
                    _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
                    stdinFD = reader
                    state.forRunc.append(reader)
                }
            }
            let destinations = terminal ? [stdout] : [stdout, stderr]
            if case .binary(let path, let arguments) = StdioURI(stdout) {
                let logger = try BinaryLogger.start(
                    path: path, arguments: arguments, containerID: containerID, namespace: namespace, owner: owner, reaper: reaper)
                outputs = [logger.stdout, logger.stderr]
                state.forRunc += [logger.stdout, logger.stderr]
                state.loggerPid = logger.pid
                state.loggerReady = logger.ready
            } else {
                for (index, path) in destinations.enumerated() where !path.isEmpty {
                    let uri = StdioURI(path)
                    if index == 1, path == stdout, uri.isFile, let shared = outputs[0] {
                        outputs[1] = shared
                        continue
                    }
                    let fd: Int32
                    if case .file(let filePath) = uri {
                        let file = try LogFile.open(filePath, owner: owner)
                        if let relay {
                            // The shim writes the file: its page cache is not charged to the container's memory cgroup.
                            fd = try Self.copy(into: file, relay: relay, owner: owner, state: &state)
                            close(file)
                        } else {
                            fd = file
                        }
                        state.forRunc.append(fd)
                    } else {
                        // Read-write, so the open never waits for the client's reader.
                        let fifo = try Self.open(path, O_RDWR)
                        state.fifoOutputs.append(fifo)
                        if let relay, !terminal {
                            fd = try Self.copy(into: fifo, relay: relay, owner: owner, state: &state)
                            state.forRunc.append(fd)
                        } else {
                            fd = fifo
                        }
                    }
                    outputs[index] = fd
                }
            }
        } catch {
            for fd in Set(state.forRunc + state.fifoOutputs) { close(fd) }
            if state.stdinKeeper >= 0 { close(state.stdinKeeper) }
            if state.loggerReady >= 0 { close(state.loggerReady) }
            throw error
        }
        if terminal {
            runcIO = RuncIO()
            // The stdin reader now belongs to the relay's input; the output gets a copy of its own.
            terminalInput = stdinFD.map { ConsoleDescriptor(taking: $0) }
            state.forRunc.removeAll { $0 == stdinFD }
            terminalOutput = outputs[0].map { ConsoleDescriptor(taking: fcntl($0, F_DUPFD_CLOEXEC, 3)) }
        } else {
            runcIO = RuncIO(stdin: stdinFD, stdout: outputs[0], stderr: outputs[1])
            terminalInput = nil
            terminalOutput = nil
        }
        descriptors = Mutex(state)
    }

    /// A pipe whose read end the relay copies (splices) into `fifo` (a FIFO
    /// or a log file); returns the write end for the process.
    private static func copy(into fifo: Int32, relay: ConsoleRelay, owner: (uid: UInt32, gid: UInt32), state: inout Descriptors)
        throws(TTRPCError) -> Int32
    {
        do {
            // 1 MiB (the default pipe-max-size): a writer streaming output wakes the relay less often.
            let pipe = try ConsoleDescriptor.pipe(capacity: 1 << 20)
            let stream = try relay.relay(from: pipe.read, to: ConsoleDescriptor(taking: fcntl(fifo, F_DUPFD_CLOEXEC, 3)))
            if Self.isOwned(owner) { _ = fchown(pipe.write.rawValue, owner.uid, owner.gid) }
            state.copies.append((pipe.read.release(), stream))
            return pipe.write.release()
        } catch {
            throw TTRPCFailure.failed("cannot set up the output copy: \(error)")
        }
    }

    /// A pipe the relay fills from the stdin FIFO (`reader`, which it takes);
    /// returns the read end, owned by `owner`, for the process. The FIFO's
    /// end (the client gone after CloseIO) closes the pipe: the process reads EOF.
    private static func copyStdin(from reader: Int32, relay: ConsoleRelay, owner: (uid: UInt32, gid: UInt32), state: inout Descriptors)
        throws(TTRPCError) -> Int32
    {
        let source = ConsoleDescriptor(taking: reader)
        do {
            let pipe = try ConsoleDescriptor.pipe()
            _ = fchown(pipe.read.rawValue, owner.uid, owner.gid)
            state.stdinCopy = try relay.relay(from: source, to: pipe.write)
            return pipe.read.release()
        } catch {
            throw TTRPCFailure.failed("cannot set up the stdin copy: \(error)")
        }
    }

    /// Whether runc's IoUid/IoGid name someone other than root: then the
    /// pipes and files the shim makes for the process belong to them.
    static func isOwned(_ owner: (uid: UInt32, gid: UInt32)) -> Bool { owner.uid != 0 || owner.gid != 0 }

    /// Whether init's stdio needs the relay: a log file the shim writes, or
    /// any FIFO without a terminal (copied through pipes, see `init`). A
    /// terminal's output goes through the pty relay instead.
    static func initNeedsRelay(stdin: String, stdout: String, stderr: String, terminal: Bool) -> Bool {
        StdioURI(stdout).isFile || (!terminal && !(stdin.isEmpty && stdout.isEmpty && stderr.isEmpty))
    }

    private static func open(_ path: String, _ flags: Int32) throws(TTRPCError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { throw TTRPCFailure.failed("cannot open \(path): \(Errno(rawValue: errno))") }
        return fd
    }

    /// Returns once a `binary://` logger said it is ready (closed or wrote
    /// to its fd 5), or after 10 s, like containerd's wait; at once when
    /// there is no logger. Waits on the loop's epoll, never blocking it.
    func loggerReady() async {
        let fd = descriptors.withLock { state -> Int32 in
            defer { state.loggerReady = -1 }
            return state.loggerReady
        }
        guard fd >= 0 else { return }
        _ = await LoopWait.readable(fd, timeout: .seconds(10))
        close(fd)
    }

    /// Closes the descriptors that went to runc: runc has its own now.
    func closeRuncSide() {
        let fds = descriptors.withLock { state -> [Int32] in
            defer { state.forRunc = [] }
            return state.forRunc
        }
        for fd in Set(fds) { close(fd) }
    }

    /// CloseIO: the process reads EOF once the client's writer is gone too.
    func closeStdin() {
        let fd = descriptors.withLock { state -> Int32 in
            defer { state.stdinKeeper = -1 }
            return state.stdinKeeper
        }
        if fd >= 0 { close(fd) }
    }

    func setOutputRelay(_ stream: RelayStream) {
        descriptors.withLock { $0.outputRelay = stream }
    }

    /// Waits until everything the process wrote has reached the client, then
    /// closes our handles (so the client sees EOF): the terminal relay
    /// finishes, a logger exits, and output FIFOs are empty.
    ///
    /// containerd's client closes its FIFOs as soon as it deletes the task
    /// after the exit, dropping whatever is still unread: so the exit must not
    /// be reported before the FIFOs are empty (FIONREAD on our handle). A
    /// client that stopped reading gets `limit`, not forever.
    func drainOutputs(limit: Duration = .seconds(5)) async {
        let (fds, relay, logger, copies) = descriptors.withLock { ($0.fifoOutputs, $0.outputRelay, $0.loggerPid, $0.copies) }
        let deadline = ContinuousClock.now + limit
        // Copied outputs: move what the process wrote, then stop copying, even
        // if a background child still holds the pipe.
        for copy in copies {
            while ContinuousClock.now < deadline {
                var available: Int32 = 0
                if ioctl(copy.pipe, UInt(FIONREAD), &available) != 0 || available == 0 { break }
                await LoopWait.sleep(for: .milliseconds(2))
            }
            copy.stream.stop(flushTimeout: max(deadline - ContinuousClock.now, .milliseconds(10)))
            _ = await copy.stream.finished()
        }
        if let relay, !relay.isFinished {
            // Its end resumes this at once; past the deadline it is stopped
            // (keeping what it already read for 100 ms more).
            let timer = ShimLoop.ttrpc.runAfter(max(deadline - ContinuousClock.now, .zero)) {
                relay.stop(flushTimeout: .milliseconds(100))
            }
            _ = await relay.finished()
            ShimLoop.ttrpc.cancel(timer)
        }
        if let logger {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await self.reaper.wait(for: logger) }
                group.addTask { await LoopWait.sleep(for: .seconds(5)) }
                await group.next()
                group.cancelAll()
            }
        }
        while ContinuousClock.now < deadline {
            var pending = false
            for fd in fds {
                var available: Int32 = 0
                if ioctl(fd, UInt(FIONREAD), &available) == 0, available > 0 { pending = true }
            }
            if !pending { break }
            await LoopWait.sleep(for: .milliseconds(5))
        }
        closeOutputs()
    }

    private func closeOutputs() {
        let (fds, copies, stdinCopy) = descriptors.withLock { state in
            defer {
                state.fifoOutputs = []
                state.copies = []
                state.stdinCopy = nil
            }
            return (state.fifoOutputs, state.copies, state.stdinCopy)
        }
        for fd in fds { close(fd) }
        for copy in copies {
            copy.stream.stop(flushTimeout: .zero)
            close(copy.pipe)
        }
        stdinCopy?.stop(flushTimeout: .zero)
        terminalOutput?.close()
        terminalInput?.close()
    }

    func closeAll() {
        closeRuncSide()
        closeStdin()
        closeOutputs()
    }
}
