/// A program to start through the Reaper.
public struct ReaperCommand: Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable, Hashable {
        /// /dev/null.
        case null
        /// The same descriptor as the parent's.
        case inherit
        /// This descriptor of the parent (it stays open in the parent).
        case descriptor(Int32)
        /// A pipe: for stdin the command's `input` is written to it; for
        /// stdout and stderr the output is collected.
        case pipe
    }

    /// The program: an absolute path, or a name looked up in PATH.
    public var executable: String
    /// The arguments after argv[0] (which is `executable`).
    public var arguments: [String]
    /// The environment as `NAME=value`; nil inherits ours.
    public var environment: [String]?
    /// The working directory; nil keeps ours.
    public var directory: String?
    /// Where the child's descriptor 0 comes from.
    public var stdin: Stream
    /// Where the child's descriptor 1 goes.
    public var stdout: Stream
    /// Where the child's descriptor 2 goes.
    public var stderr: Stream
    /// Descriptors passed as 3, 4, … in the child.
    public var extraDescriptors: [Int32]
    /// Bytes written to a `.pipe` stdin, which is then closed.
    public var input: [UInt8]
    /// Start the child in a new session (setsid).
    public var newSession: Bool
    /// Put the child in its own process group.
    public var ownProcessGroup: Bool
    /// Kill the child (SIGKILL; its whole group when it has its own) after this long.
    public var timeout: Duration?

    /// A command; by default stdin is /dev/null and stdout and stderr are collected.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String]? = nil, directory: String? = nil,
        stdin: Stream = .null, stdout: Stream = .pipe, stderr: Stream = .pipe, extraDescriptors: [Int32] = [],
        input: [UInt8] = [], newSession: Bool = false, ownProcessGroup: Bool = false, timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.extraDescriptors = extraDescriptors
        self.input = input
        self.newSession = newSession
        self.ownProcessGroup = ownProcessGroup
        self.timeout = timeout
    }
}

/// What ``Reaper/run(_:)`` returns.
public struct ReaperOutput: Sendable, Hashable {
    /// How the child ended.
    public var exit: ProcessExit
    /// What it wrote to a `.pipe` stdout.
    public var stdout: [UInt8]
    /// What it wrote to a `.pipe` stderr.
    public var stderr: [UInt8]
    /// Whether the timeout killed it.
    public var timedOut: Bool

    /// The collected stdout as UTF-8, invalid bytes replaced.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// The collected stderr as UTF-8, invalid bytes replaced.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
