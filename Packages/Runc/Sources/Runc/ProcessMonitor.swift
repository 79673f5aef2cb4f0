/// How Runc starts runc and waits for it. The process that runs a shim has
/// one waiter on children — its reaper — so Runc does not spawn by itself:
/// it hands each command to a monitor. ``DirectMonitor`` is the default for
/// processes without a reaper; a reaper provides its own (in this
/// repository, `Reaper.run` fits with a few lines of glue).
public protocol ProcessMonitor: Sendable {
    /// Runs a command to completion and returns its exit and output.
    /// Throws a ``RuncError`` (with errno) when it cannot be started.
    func run(_ command: MonitorCommand) async throws -> MonitorResult
}

/// A command for a ``ProcessMonitor``.
public struct MonitorCommand: Sendable, Hashable {
    /// Where a standard stream goes.
    public enum Stream: Sendable, Hashable {
        /// /dev/null.
        case null
        /// The caller's own descriptor 0, 1 or 2.
        case inherit
        /// This descriptor of the caller.
        case descriptor(Int32)
        /// A pipe: stdin gets ``MonitorCommand/input``; stdout and stderr are collected.
        case pipe
    }

    /// The program's path, as execve(2) takes it.
    public var executable: String
    /// The arguments after argv[0].
    public var arguments: [String]
    /// `NAME=value` entries; nil inherits the caller's environment.
    public var environment: [String]?
    /// Where the child's descriptor 0 comes from.
    public var stdin: Stream
    /// Where the child's descriptor 1 goes.
    public var stdout: Stream
    /// Where the child's descriptor 2 goes.
    public var stderr: Stream
    /// Passed to the child as descriptors 3, 4, …
    public var extraDescriptors: [Int32]
    /// Bytes written to the child's stdin when it is ``Stream/pipe``, then closed.
    public var input: [UInt8]

    /// A command with its streams; by default stdin is /dev/null and stdout and stderr are collected.
    public init(
        executable: String, arguments: [String], environment: [String]? = nil,
        stdin: Stream = .null, stdout: Stream = .pipe, stderr: Stream = .pipe, extraDescriptors: [Int32] = [],
        input: [UInt8] = []
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.extraDescriptors = extraDescriptors
        self.input = input
    }
}

/// What a monitor reports about a finished command.
public struct MonitorResult: Sendable, Hashable {
    /// The child's process id.
    public var pid: Int32
    /// The exit code, or 128 plus the signal that killed it.
    public var exitStatus: Int32
    /// What the child wrote to stdout, when it was a pipe.
    public var stdout: [UInt8]
    /// What the child wrote to stderr, when it was a pipe.
    public var stderr: [UInt8]

    /// A result as a monitor reports it.
    public init(pid: Int32, exitStatus: Int32, stdout: [UInt8], stderr: [UInt8]) {
        self.pid = pid
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
    }
}
