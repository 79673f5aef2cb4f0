import Foundation

/// Slows one system call of a running process with strace's fault
/// injection (`-e inject=NAME:delay_enter=MICROSECONDS`), every thread of it
/// and those it starts, until ``stop()``. containerd's own test for #7496
/// delays umount2 in the shim the same way, to play a host under heavy I/O
/// where unmounting an overlay waits on syncfs.
public final class SyscallDelay: @unchecked Sendable {
    private let child: Spawn.Child
    private var stopped = false

    /// Returns once every thread of `pid` is traced.
    public init(pid: Int32, syscall: String, delay: Duration) throws {
        let microseconds = delay.components.seconds * 1_000_000 + delay.components.attoseconds / 1_000_000_000_000
        child = try Spawn.start(
            [
                try Command.resolve("strace"), "-f", "-qq", "-o", "/dev/null", "-p", "\(pid)", "-e", "trace=\(syscall)",
                "-e", "inject=\(syscall):delay_enter=\(microseconds)",
            ], directory: nil, environment: nil)
        for _ in 0..<500 {
            if Self.allThreadsTraced(pid) { return }
            usleep(10_000)
        }
        stop()
        throw CommandError.spawn(["strace", "-p", "\(pid)"], ETIMEDOUT)
    }

    private static func allThreadsTraced(_ pid: Int32) -> Bool {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"), !threads.isEmpty else {
            return false
        }
        return threads.allSatisfy { thread in
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)) ?? ""
            let tracer = status.split(separator: "\n").first { $0.hasPrefix("TracerPid:") }
            return tracer.map { !$0.hasSuffix("\t0") } ?? false
        }
    }

    /// Detaches strace (SIGTERM makes it let go of every thread) and reaps it.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(child.pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(child.pid, &status, 0)
        for fd in [child.stdin, child.stdout, child.stderr] { close(fd) }
    }

    deinit { stop() }
}
