import Runc
import Synchronization
import SystemPackage
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The stdio of a container process, from the FIFOs the client created.
///
/// The FIFOs are handed to runc as the process's descriptors, so output goes
/// straight to the client with no copy in the shim. The shim also keeps a
/// write handle on the stdin FIFO: a client that detaches does not give the
/// process EOF; CloseIO does.
final class ProcessIO: Sendable {
    let stdinPath: String
    let stdoutPath: String
    let stderrPath: String
    /// The stdin reader given to runc, our writer on the stdin FIFO, and our
    /// read-write handles on the output FIFOs (kept until the process exited
    /// and the client drained them). Each closed at most once.
    private let descriptors: Mutex<(forRunc: [Int32], stdinKeeper: Int32, outputs: [Int32])>
    let io: RuncIO

    init(stdin: String, stdout: String, stderr: String) throws(TTRPCError) {
        stdinPath = stdin
        stdoutPath = stdout
        stderrPath = stderr
        var forRunc: [Int32] = []
        var outputs: [Int32] = []
        var stdinKeeper: Int32 = -1
        var descriptors: [Int32?] = [nil, nil, nil]
        do {
            if !stdin.isEmpty {
                // Open the read end without waiting for a writer, then keep a
                // writer of our own so the FIFO never reports EOF on its own.
                let reader = try Self.open(stdin, O_RDONLY | O_NONBLOCK)
                _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) & ~O_NONBLOCK)
                descriptors[0] = reader
                forRunc.append(reader)
                stdinKeeper = try Self.open(stdin, O_WRONLY | O_NONBLOCK)
            }
            for (index, path) in [(1, stdout), (2, stderr)] where !path.isEmpty {
                // Read-write, so the open never waits for the client's reader.
                let fd = try Self.open(path, O_RDWR)
                descriptors[index] = fd
                outputs.append(fd)
            }
        } catch {
            for fd in forRunc + outputs { close(fd) }
            if stdinKeeper >= 0 { close(stdinKeeper) }
            throw error
        }
        io = RuncIO(stdin: descriptors[0], stdout: descriptors[1], stderr: descriptors[2])
        self.descriptors = Mutex((forRunc, stdinKeeper, outputs))
    }

    private static func open(_ path: String, _ flags: Int32) throws(TTRPCError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { throw TTRPCFailure.invalidArgument("cannot open \(path): \(Errno(rawValue: errno))") }
        return fd
    }

    /// Closes the descriptors that went to runc: runc has its own now.
    func closeRuncSide() {
        let fds = descriptors.withLock { state -> [Int32] in
            defer { state.forRunc = [] }
            return state.forRunc
        }
        for fd in fds { close(fd) }
    }

    /// CloseIO: the process reads EOF once the client's writer is gone too.
    func closeStdin() {
        let fd = descriptors.withLock { state -> Int32 in
            defer { state.stdinKeeper = -1 }
            return state.stdinKeeper
        }
        if fd >= 0 { close(fd) }
    }

    /// Waits until the client has read everything the process wrote, then
    /// closes our handles on the output FIFOs (so the client sees EOF).
    ///
    /// containerd's client closes its FIFOs as soon as it deletes the task
    /// after the exit, dropping whatever is still unread: so the exit must not
    /// be reported before the FIFOs are empty (FIONREAD on our handle). A
    /// client that stopped reading gets `limit`, not forever.
    func drainOutputs(limit: Duration = .seconds(5)) async {
        let fds = descriptors.withLock { $0.outputs }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            var pending = false
            for fd in fds {
                var available: Int32 = 0
                if ioctl(fd, UInt(FIONREAD), &available) == 0, available > 0 { pending = true }
            }
            if !pending { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        closeOutputs()
    }

    private func closeOutputs() {
        let fds = descriptors.withLock { state -> [Int32] in
            defer { state.outputs = [] }
            return state.outputs
        }
        for fd in fds { close(fd) }
    }

    func closeAll() {
        closeRuncSide()
        closeStdin()
        closeOutputs()
    }
}
