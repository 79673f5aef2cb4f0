/// How a process ended, from its wait status (wait4(2)).
public enum ExitStatus: Hashable, Sendable, CustomStringConvertible {
    /// It called exit with this code.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32, coreDumped: Bool)

    /// The shell's convention, which containerd also uses: the exit code, or
    /// 128 plus the signal number.
    public var code: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal, _): return 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited \(code)"
        case .signaled(let signal, let core): return "killed by signal \(signal)\(core ? " (core dumped)" : "")"
        }
    }
}

/// One reaped child.
public struct ProcessExit: Hashable, Sendable, CustomStringConvertible {
    /// Its pid.
    public var pid: Int32
    /// How it ended.
    public var status: ExitStatus
    /// When it was reaped (CLOCK_REALTIME): seconds since the epoch…
    public var seconds: Int64
    /// …and nanoseconds within that second.
    public var nanoseconds: Int32

    /// An exit of `pid` with its status and the CLOCK_REALTIME time it was reaped.
    public init(pid: Int32, status: ExitStatus, seconds: Int64, nanoseconds: Int32) {
        self.pid = pid
        self.status = status
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The exit code, or 128 plus the signal.
    public var code: Int32 { status.code }

    public var description: String { "pid \(pid) \(status)" }
}
