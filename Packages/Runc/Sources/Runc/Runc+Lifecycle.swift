import OCISpec
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension Runc {
    /// `runc create`: sets up the container from `bundle`; its init waits for ``start(_:)``.
    public func create(_ id: String, bundle: String, options: CreateOptions = CreateOptions()) async throws(RuncError) {
        try await execute(
            lifecycle(["create", "--bundle", bundle] + Self.createFlags(options) + [id], id: id, io: options.io, extra: options.extraFiles))
    }

    /// `runc start`: runs the created container's process.
    public func start(_ id: String) async throws(RuncError) {
        try await execute(Invocation(arguments: ["start", id], containerID: id))
    }

    /// `runc run`: create and start. Without `detach` this waits for the
    /// container's process and returns its exit status.
    @discardableResult
    public func run(_ id: String, bundle: String, options: CreateOptions = CreateOptions()) async throws(RuncError) -> Int32 {
        var flags = Self.createFlags(options)
        if options.detach { flags.append("--detach") }
        let invocation = lifecycle(["run", "--bundle", bundle] + flags + [id], id: id, io: options.io, extra: options.extraFiles)
        do {
            return try await execute(invocation).exitStatus
        } catch  where !options.detach && error.exitStatus != nil && !error.message.contains("container") {
            // A foreground container that exits non-zero makes runc exit with its status.
            return error.exitStatus ?? 1
        }
    }

    /// `runc exec --process`: runs `process` in the container. Without
    /// `detach` it waits and returns the process's exit status.
    @discardableResult
    public func exec(_ id: String, process: ProcessSpec, options: ExecOptions = ExecOptions()) async throws(RuncError) -> Int32 {
        let processFile = try TemporaryJSON(process, command: "exec")
        defer { processFile.remove() }
        var arguments = ["exec", "--process", processFile.path]
        if let pidFile = options.pidFile { arguments += ["--pid-file", pidFile] }
        if let socket = options.consoleSocket { arguments += ["--console-socket", socket] }
        if options.detach { arguments.append("--detach") }
        if !options.extraFiles.isEmpty { arguments += ["--preserve-fds", String(options.extraFiles.count)] }
        arguments.append(id)
        var invocation = lifecycle(arguments, id: id, io: options.io, extra: options.extraFiles)
        if !options.detach, options.io == RuncIO() {
            // Nothing given for stdio: collect it, so callers see the output.
            invocation.stdout = .pipe
            invocation.stderr = .pipe
        }
        do {
            return try await execute(invocation).exitStatus
        } catch  where !options.detach && error.exitStatus != nil && !error.message.contains("exec failed") && !error.isNotFound {
            return error.exitStatus ?? 1
        }
    }

    /// `runc exec` without detaching, returning the exit status and what the
    /// process wrote (stdout and stderr collected through pipes).
    public func execCapturing(_ id: String, process: ProcessSpec) async throws(RuncError) -> (
        status: Int32, stdout: [UInt8], stderr: [UInt8]
    ) {
        let processFile = try TemporaryJSON(process, command: "exec")
        defer { processFile.remove() }
        var invocation = Invocation(arguments: ["exec", "--process", processFile.path, id], containerID: id)
        invocation.stdout = .pipe
        invocation.stderr = .pipe
        do {
            let result = try await execute(invocation)
            return (result.exitStatus, result.stdout, result.stderr)
        } catch  where error.exitStatus != nil && !error.isNotFound && !error.message.contains("exec failed") {
            return (error.exitStatus ?? 1, [], Array(error.message.utf8))
        }
    }

    /// `runc kill`: sends `signal` to the container's init, or with `all` to every process.
    public func kill(_ id: String, signal: Int32, all: Bool = false) async throws(RuncError) {
        try await execute(Invocation(arguments: ["kill"] + (all ? ["--all"] : []) + [id, String(signal)], containerID: id))
    }

    /// `runc delete`: removes the container; `force` kills it first if it runs.
    public func delete(_ id: String, force: Bool = false) async throws(RuncError) {
        try await execute(Invocation(arguments: ["delete"] + (force ? ["--force"] : []) + [id], containerID: id))
    }

    /// `runc pause`: freezes every process of the container.
    public func pause(_ id: String) async throws(RuncError) {
        try await execute(Invocation(arguments: ["pause", id], containerID: id))
    }

    /// `runc resume`: thaws a paused container.
    public func resume(_ id: String) async throws(RuncError) {
        try await execute(Invocation(arguments: ["resume", id], containerID: id))
    }

    /// `runc update --resources -`: applies new cgroup limits.
    public func update(_ id: String, resources: LinuxResources) async throws(RuncError) {
        let json: [UInt8]
        do {
            json = try OCIJSON.encode(resources, style: .compact)
        } catch {
            throw RuncError(code: .fileFailed, command: "update", containerID: id, message: "cannot encode resources: \(error)")
        }
        var invocation = Invocation(arguments: ["update", "--resources", "-", id], containerID: id)
        invocation.stdin = .pipe
        invocation.input = json
        try await execute(invocation)
    }

    /// `runc checkpoint`: dumps the container with CRIU.
    public func checkpoint(_ id: String, options: CheckpointOptions) async throws(RuncError) {
        try await execute(Invocation(arguments: Self.checkpointArguments(id, options), containerID: id))
    }

    /// `runc restore`: starts a container from a checkpoint. Returns runc's
    /// exit status (the container's, when not detached).
    @discardableResult
    public func restore(_ id: String, bundle: String, options: RestoreOptions) async throws(RuncError) -> Int32 {
        try await execute(lifecycle(Self.restoreArguments(id, bundle: bundle, options), id: id, io: options.io, extra: [])).exitStatus
    }

    // MARK: Command lines

    static func createFlags(_ options: CreateOptions) -> [String] {
        var flags: [String] = []
        if let pidFile = options.pidFile { flags += ["--pid-file", pidFile] }
        if let socket = options.consoleSocket { flags += ["--console-socket", socket] }
        if options.noPivot { flags.append("--no-pivot") }
        if options.noNewKeyring { flags.append("--no-new-keyring") }
        if !options.extraFiles.isEmpty { flags += ["--preserve-fds", String(options.extraFiles.count)] }
        return flags
    }

    /// The arguments of `runc checkpoint` for these options.
    public static func checkpointArguments(_ id: String, _ options: CheckpointOptions) -> [String] {
        var arguments = ["checkpoint"] + options.criu.arguments
        if let parent = options.parentPath { arguments += ["--parent-path", parent] }
        if options.leaveRunning { arguments.append("--leave-running") }
        return arguments + [id]
    }

    /// The arguments of `runc restore` for these options.
    public static func restoreArguments(_ id: String, bundle: String, _ options: RestoreOptions) -> [String] {
        var arguments = ["restore", "--bundle", bundle] + options.criu.arguments
        if let pidFile = options.pidFile { arguments += ["--pid-file", pidFile] }
        if let socket = options.consoleSocket { arguments += ["--console-socket", socket] }
        if options.detach { arguments.append("--detach") }
        if options.noPivot { arguments.append("--no-pivot") }
        return arguments + [id]
    }

    /// A create/run/exec/restore invocation: the container's stdio is the
    /// given IO (or /dev/null), never a pipe of ours that the container would
    /// keep open; runc's own errors come from its log.
    private func lifecycle(_ arguments: [String], id: String, io: RuncIO, extra: [Int32]) -> Invocation {
        let (stdin, stdout, stderr) = io.streams
        return Invocation(arguments: arguments, containerID: id, stdin: stdin, stdout: stdout, stderr: stderr, extraDescriptors: extra)
    }
}

/// A JSON document in a temporary file (runc reads `--process` from a file).
struct TemporaryJSON {
    let path: String

    init<T: Encodable>(_ value: T, command: String) throws(RuncError) {
        let bytes: [UInt8]
        do {
            bytes = try OCIJSON.encode(value, style: .compact)
        } catch {
            throw RuncError(code: .fileFailed, command: command, message: "cannot encode: \(error)")
        }
        var template = Array("/tmp/runc-process.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw RuncError(code: .fileFailed, command: command, message: "cannot create a temporary file", errno: Errno(rawValue: errno))
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 {
                let error = Errno(rawValue: errno)
                close(fd)
                unlink(path)
                throw RuncError(code: .fileFailed, command: command, message: "cannot write \(path)", errno: error)
            }
            offset += written
        }
        close(fd)
    }

    func remove() { unlink(path) }
}
