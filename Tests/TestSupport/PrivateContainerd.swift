import Foundation

/// A containerd started for one test run, with its root, state and sockets
/// under a temporary directory. It never touches a system containerd: its
/// sockets are its own, and it is stopped by the pid it was started with.
public final class PrivateContainerd: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let namespace: String
    private var process: Process
    private let environment: [String: String]

    public var address: String { directory.file("containerd.sock") }
    public var ttrpcAddress: String { directory.file("containerd.sock.ttrpc") }
    public var root: String { directory.file("root") }
    public var state: String { directory.file("state") }

    /// Starts containerd and waits until its socket answers.
    public init(namespace: String = "swift-container-test-\(getpid())", extraPath: String? = nil) throws {
        self.namespace = namespace
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
        _ = FileManager.default.createFile(atPath: directory.file("containerd.log"), contents: nil)
        process = Process()
        try launch()
    }

    /// Starts the daemon process and waits until it answers.
    private func launch() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Command.resolve("containerd"))
        process.arguments = ["--config", directory.file("config.toml")]
        process.environment = environment
        let logHandle = FileHandle(forWritingAtPath: directory.file("containerd.log"))
        logHandle?.seekToEndOfFile()
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
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
            result: CommandResult(status: -1, stdout: [], stderr: Array("containerd did not start: \(log())".utf8)))
    }

    /// `ctr` arguments aimed at this containerd and namespace.
    public func ctrArguments(_ arguments: [String]) -> [String] {
        ["ctr", "--address", address, "--namespace", namespace] + arguments
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
        terminate()
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

    /// SIGTERM, then SIGKILL after 10 s, judged by /proc (Foundation's
    /// `isRunning` was seen to report a live containerd as gone); waits a
    /// bounded time, so a test can never hang here.
    private func terminate() {
        let pid = process.processIdentifier
        guard pid > 0, Self.alive(pid) else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while Self.alive(pid), Date() < deadline { usleep(20_000) }
        if Self.alive(pid) { kill(pid, SIGKILL) }
        let final = Date().addingTimeInterval(5)
        while Self.alive(pid), Date() < final { usleep(20_000) }
    }

    /// Whether `pid` exists and is not a zombie.
    private static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    deinit { stop() }
}
