import Runc
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
final class ProcessIO: @unchecked Sendable {
    let stdinPath: String
    let stdoutPath: String
    let stderrPath: String
    private var forRunc: [Int32] = []
    private var stdinKeeper: Int32 = -1
    let io: RuncIO

    init(stdin: String, stdout: String, stderr: String) throws(TTRPCError) {
        stdinPath = stdin
        stdoutPath = stdout
        stderrPath = stderr
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
                forRunc.append(fd)
            }
        } catch {
            for fd in forRunc { close(fd) }
            if stdinKeeper >= 0 { close(stdinKeeper) }
            throw error
        }
        io = RuncIO(stdin: descriptors[0], stdout: descriptors[1], stderr: descriptors[2])
    }

    private static func open(_ path: String, _ flags: Int32) throws(TTRPCError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { throw TTRPCFailure.invalidArgument("cannot open \(path): \(Errno(rawValue: errno))") }
        return fd
    }

    /// Closes the descriptors that went to runc: runc has its own now.
    func closeRuncSide() {
        for fd in forRunc { close(fd) }
        forRunc = []
    }

    /// CloseIO: the process reads EOF once the client's writer is gone too.
    func closeStdin() {
        if stdinKeeper >= 0 {
            close(stdinKeeper)
            stdinKeeper = -1
        }
    }

    func closeAll() {
        closeRuncSide()
        closeStdin()
    }
}
