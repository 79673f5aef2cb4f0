import Foundation

/// A containerd started for one test run, with its root, state and sockets
/// under a temporary directory. It never touches a system containerd: its
/// sockets are its own, and it is stopped by the pid it was started with.
public final class PrivateContainerd: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let namespace: String
    private var pid: pid_t = 0
    private let environment: [String: String]
    /// Where `containerd` and `ctr` come from; nil for PATH (Debian 12's 1.6).
    public let binaries: String?

    public var address: String { directory.file("containerd.sock") }
    public var ttrpcAddress: String { directory.file("containerd.sock.ttrpc") }
    public var root: String { directory.file("root") }
    public var state: String { directory.file("state") }

    /// Starts containerd and waits until its socket answers.
    /// - Parameter binaries: a directory with another release's `containerd`
    ///   and `ctr` (``ContainerdRelease``); PATH's by default.
    public init(namespace: String = "swift-container-test-\(getpid())", extraPath: String? = nil, binaries: String? = nil) throws {
        self.namespace = namespace
        self.binaries = binaries
        directory = try TemporaryDirectory(prefix: "private-containerd")
        let config = """
            version = 2
            root = "\(directory.file("root"))"
            state = "\(directory.file("state"))"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "\(directory.file("containerd.sock"))"
            [ttrpc]
              address = "\(directory.file("containerd.sock.ttrpc"))"
            [debug]
              address = "\(directory.file("debug.sock"))"
            """
        try directory.write("config.toml", config)
        var environment = ProcessInfo.processInfo.environment
        if let extraPath { environment["PATH"] = "\(extraPath):\(environment["PATH"] ?? "/usr/bin:/bin")" }
        self.environment = environment
        try TestFile.write("", to: directory.file("containerd.log"))
        try launch()
    }

    /// Starts the daemon process and waits until it answers.
    private func launch() throws {
        let log = open(directory.file("containerd.log"), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(log) }
        let child = try Spawn.start(
            [binaries.map { $0 + "/containerd" } ?? (try Command.resolve("containerd")), "--config", directory.file("config.toml")],
            directory: nil, environment: environment,
            output: log)
        close(child.stdin)
        close(child.stdout)
        close(child.stderr)
        pid = child.pid
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: address),
                (try? Command.run(ctrArguments(["version"])))?.status == 0
            {
                return
            }
            usleep(50_000)
        }
        stop()
        throw CommandError(
            command: ["containerd"],
            result: CommandResult(status: -1, stdout: [], stderr: Array("containerd did not start: \(self.log())".utf8)))
    }

    /// `ctr` arguments aimed at this containerd and namespace.
    public func ctrArguments(_ arguments: [String]) -> [String] {
        [binaries.map { $0 + "/ctr" } ?? "ctr", "--address", address, "--namespace", namespace] + arguments
    }

    /// Runs `ctr` against this containerd; throws on a non-zero exit.
    @discardableResult
    public func ctr(_ arguments: String...) throws -> CommandResult {
        try Command.check(ctrArguments(arguments))
    }

    /// The daemon's log so far, for failure messages.
    public func log() -> String {
        (try? String(contentsOfFile: directory.file("containerd.log"), encoding: .utf8)) ?? ""
    }

    /// Stops containerd and starts it again on the same root, state and
    /// sockets; running shims and containers are left alone.
    public func restart() throws {
        try restart(whileDown: {})
    }

    /// Like ``restart()``, running `whileDown` while no containerd runs (a
    /// container exiting then, say).
    public func restart(whileDown: () throws -> Void) throws {
        terminate()
        try whileDown()
        try launch()
    }

    /// The bundle directory containerd keeps for a task.
    public func bundle(_ id: String) -> String {
        directory.file("state/io.containerd.runtime.v2.task/\(namespace)/\(id)")
    }

    /// Stops containerd (SIGTERM, then SIGKILL) and unmounts what it left.
    public func stop() {
        terminate()
        _ = try? Command.run(["umount", "-R", root])
    }

    /// SIGTERM, then SIGKILL after 10 s; reaped with waitpid, bounded.
    private func terminate() {
        BackgroundDaemon.stop(pid)
        pid = 0
    }

    deinit { stop() }
}
