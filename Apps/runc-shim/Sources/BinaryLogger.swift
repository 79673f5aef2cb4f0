import Console
import Reaper
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// A `binary://` logger: a program the shim starts with the process's
/// stdout pipe as its fd 3, the stderr pipe as fd 4, and fd 5 a pipe it
/// closes (or writes to) once it is ready; environment CONTAINER_ID and
/// CONTAINER_NAMESPACE (and PATH); the URI's query as arguments.
struct BinaryLogger: Sendable {
    /// The logger's pid, waited for through the Reaper.
    let pid: Int32
    /// The write ends for the process's stdout and stderr.
    let stdout: Int32
    let stderr: Int32
    /// Our read end of the ready pipe.
    let ready: Int32

    /// Starts the logger. On failure nothing is left open.
    static func start(
        path: String, arguments: [String], containerID: String, namespace: String, owner: (uid: UInt32, gid: UInt32),
        reaper: Reaper
    ) throws(TTRPCError) -> BinaryLogger {
        var pipes: [(read: Int32, write: Int32)] = []
        for _ in 0..<3 {
            do {
                let pair = try ConsoleDescriptor.pipe()
                pipes.append((pair.read.release(), pair.write.release()))
            } catch {
                for pipe in pipes { close(pipe.read); close(pipe.write) }
                throw TTRPCFailure.failed("\(error)")
            }
        }
        if ProcessIO.isOwned(owner) {
            _ = fchown(pipes[0].write, owner.uid, owner.gid)
            _ = fchown(pipes[1].write, owner.uid, owner.gid)
        }
        var environment = ["CONTAINER_ID=\(containerID)", "CONTAINER_NAMESPACE=\(namespace)"]
        if let value = getenv("PATH") { environment.append("PATH=" + String(cString: value)) }
        let logger: SpawnedProcess
        do {
            logger = try reaper.spawn(
                ReaperCommand(
                    path, arguments, environment: environment, stdout: .null, stderr: .null,
                    extraDescriptors: [pipes[0].read, pipes[1].read, pipes[2].write]))
        } catch {
            for pipe in pipes { close(pipe.read); close(pipe.write) }
            throw TTRPCFailure.failed("cannot start the logger \(path): \(error)")
        }
        close(pipes[0].read)
        close(pipes[1].read)
        close(pipes[2].write)
        return BinaryLogger(pid: logger.pid, stdout: pipes[0].write, stderr: pipes[1].write, ready: pipes[2].read)
    }
}
