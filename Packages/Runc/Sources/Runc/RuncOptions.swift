/// Where a container process's stdio goes: descriptors the caller owns
/// (pipe ends, FIFOs, a pty slave), or /dev/null where nil.
public struct RuncIO: Sendable, Hashable {
    /// Descriptor for the process's stdin.
    public var stdin: Int32?
    /// Descriptor for the process's stdout.
    public var stdout: Int32?
    /// Descriptor for the process's stderr.
    public var stderr: Int32?

    /// Stdio from these descriptors; nil ones are /dev/null.
    public init(stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
    }

    var streams: (MonitorCommand.Stream, MonitorCommand.Stream, MonitorCommand.Stream) {
        (stdin.map { .descriptor($0) } ?? .null, stdout.map { .descriptor($0) } ?? .null, stderr.map { .descriptor($0) } ?? .null)
    }
}

/// Options of `runc create` and `runc run`.
public struct CreateOptions: Sendable, Hashable {
    /// `--pid-file`: where runc writes the container's init pid.
    public var pidFile: String?
    /// `--console-socket`: a unix socket that receives the pty master (terminal containers).
    public var consoleSocket: String?
    /// `--no-pivot`: use MS_MOVE instead of pivot_root (ramfs roots).
    public var noPivot = false
    /// `--no-new-keyring`: keep the caller's session keyring.
    public var noNewKeyring = false
    /// `--detach` (for `run`): return once the container started.
    public var detach = false
    /// The container's stdio; /dev/null where nil.
    public var io = RuncIO()
    /// `--preserve-fds`: descriptors passed to the container as 3, 4, …
    public var extraFiles: [Int32] = []

    /// Options with runc's defaults unless given.
    public init(
        pidFile: String? = nil, consoleSocket: String? = nil, noPivot: Bool = false, noNewKeyring: Bool = false,
        detach: Bool = false, io: RuncIO = RuncIO(), extraFiles: [Int32] = []
    ) {
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
        self.noPivot = noPivot
        self.noNewKeyring = noNewKeyring
        self.detach = detach
        self.io = io
        self.extraFiles = extraFiles
    }
}

/// Options of `runc exec`.
public struct ExecOptions: Sendable, Hashable {
    /// `--pid-file`: where runc writes the process's pid.
    public var pidFile: String?
    /// `--console-socket`: a unix socket that receives the pty master (`process.terminal`).
    public var consoleSocket: String?
    /// `--detach`: return once the process started.
    public var detach = false
    /// The process's stdio; /dev/null where nil.
    public var io = RuncIO()
    /// `--preserve-fds`: descriptors passed to the process as 3, 4, …
    public var extraFiles: [Int32] = []

    /// Options with runc's defaults unless given.
    public init(pidFile: String? = nil, consoleSocket: String? = nil, detach: Bool = false, io: RuncIO = RuncIO(), extraFiles: [Int32] = [])
    {
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
        self.detach = detach
        self.io = io
        self.extraFiles = extraFiles
    }
}

/// CRIU options shared by `runc checkpoint` and `runc restore`.
public struct CRIUOptions: Sendable, Hashable {
    /// `--image-path`: where the checkpoint images are.
    public var imagePath: String
    /// `--work-path`: CRIU's logs and work files.
    public var workPath: String?
    /// `--tcp-established`: allow open TCP connections.
    public var tcpEstablished = false
    /// `--ext-unix-sk`: allow external unix sockets.
    public var externalUnixSockets = false
    /// `--shell-job`: allow shell jobs (a terminal).
    public var shellJob = false
    /// `--file-locks`: handle file locks.
    public var fileLocks = false
    /// `--empty-ns`: namespaces to leave empty, e.g. `network`.
    public var emptyNamespaces: [String] = []

    /// CRIU options; only the image path is required.
    public init(
        imagePath: String, workPath: String? = nil, tcpEstablished: Bool = false, externalUnixSockets: Bool = false,
        shellJob: Bool = false, fileLocks: Bool = false, emptyNamespaces: [String] = []
    ) {
        self.imagePath = imagePath
        self.workPath = workPath
        self.tcpEstablished = tcpEstablished
        self.externalUnixSockets = externalUnixSockets
        self.shellJob = shellJob
        self.fileLocks = fileLocks
        self.emptyNamespaces = emptyNamespaces
    }

    var arguments: [String] {
        var list = ["--image-path", imagePath]
        if let workPath { list += ["--work-path", workPath] }
        if tcpEstablished { list.append("--tcp-established") }
        if externalUnixSockets { list.append("--ext-unix-sk") }
        if shellJob { list.append("--shell-job") }
        if fileLocks { list.append("--file-locks") }
        for namespace in emptyNamespaces { list += ["--empty-ns", namespace] }
        return list
    }
}

/// Options of `runc checkpoint`.
public struct CheckpointOptions: Sendable, Hashable {
    /// Where the images go and how CRIU treats sockets, jobs and locks.
    public var criu: CRIUOptions
    /// `--parent-path`: a previous (pre-dump) checkpoint, relative to the image path.
    public var parentPath: String?
    /// `--leave-running`: keep the container running after the checkpoint.
    public var leaveRunning = false

    /// Options for a checkpoint into `criu.imagePath`.
    public init(criu: CRIUOptions, parentPath: String? = nil, leaveRunning: Bool = false) {
        self.criu = criu
        self.parentPath = parentPath
        self.leaveRunning = leaveRunning
    }
}

/// Options of `runc restore`.
public struct RestoreOptions: Sendable, Hashable {
    /// Where the images are and how CRIU treats sockets, jobs and locks.
    public var criu: CRIUOptions
    /// `--pid-file`: where runc writes the restored init's pid.
    public var pidFile: String?
    /// `--console-socket`: receives a new pty master for a restored terminal container.
    public var consoleSocket: String?
    /// `--detach`: return once restored.
    public var detach = true
    /// `--no-pivot`.
    public var noPivot = false
    /// The restored process's stdio; /dev/null where nil.
    public var io = RuncIO()

    /// Options for a restore from `criu.imagePath`; detached by default.
    public init(
        criu: CRIUOptions, pidFile: String? = nil, consoleSocket: String? = nil, detach: Bool = true, noPivot: Bool = false,
        io: RuncIO = RuncIO()
    ) {
        self.criu = criu
        self.pidFile = pidFile
        self.consoleSocket = consoleSocket
        self.detach = detach
        self.noPivot = noPivot
        self.io = io
    }
}
