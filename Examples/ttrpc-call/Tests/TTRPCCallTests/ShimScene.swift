import Foundation
import Synchronization
import TTRPC

/// A runc shim started the way containerd starts one (`shim start` in the
/// bundle directory, its log FIFO open), with no containerd: the test serves
/// the events socket the shim publishes to and keeps what it receives.
///
/// The shim is Debian's Go runc.v2 shim unless TTRPC_CALL_SHIM names
/// another (this repository's, say).
final class ShimScene: Sendable {
    let directory: String
    let bundle: String
    let namespace: String
    let socket: String
    let events: EventLog
    private let server: TTRPCServer
    private let logFIFO: Int32

    static var shimBinary: String { ProcessInfo.processInfo.environment["TTRPC_CALL_SHIM"] ?? "/usr/bin/containerd-shim-runc-v2" }

    private init(
        directory: String, bundle: String, namespace: String, socket: String, events: EventLog, server: TTRPCServer, logFIFO: Int32
    ) {
        self.directory = directory
        self.bundle = bundle
        self.namespace = namespace
        self.socket = socket
        self.events = events
        self.server = server
        self.logFIFO = logFIFO
    }

    /// Makes a busybox bundle running `script`, serves the events socket and starts the shim for container `c1`.
    static func start(script: String) throws -> ShimScene {
        var template = Array("/tmp/ttrpc-call-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SceneError("mkdtemp failed") }
        let directory = String(cString: made)
        let bundle = directory + "/bundle"
        let namespace = "ttrpc-call-test-\(getpid())"
        try makeBundle(bundle, script: script, cgroup: "/\(namespace)/c1")

        guard mkfifo(bundle + "/log", 0o600) == 0 else { throw SceneError("mkfifo log failed") }
        // Read and write, so the shim's write-only open does not wait for a reader.
        let logFIFO = open(bundle + "/log", O_RDWR | O_NONBLOCK | O_CLOEXEC)

        let events = EventLog()
        var service = TTRPCService(name: "containerd.services.events.ttrpc.v1.Events")
        service.rawUnary("Forward") { payload, _ in
            events.append(payload)
            return []
        }
        let server = TTRPCServer(services: [service])
        let address = directory + "/containerd.sock"
        try server.listen(path: address + ".ttrpc")

        var environment = ProcessInfo.processInfo.environment
        environment["TTRPC_ADDRESS"] = address + ".ttrpc"
        let started = try runCommand(
            shimBinary, ["-namespace", namespace, "-address", address, "-publish-binary", "/bin/true", "-id", "c1", "start"],
            directory: bundle, environment: environment)
        guard started.status == 0 else { throw SceneError("shim start failed (\(started.status)): \(started.stderr)") }
        let socket = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return ShimScene(
            directory: directory, bundle: bundle, namespace: namespace, socket: socket, events: events, server: server, logFIFO: logFIFO)
    }

    /// ttrpc-call against this shim in this namespace.
    func call(_ method: String, _ request: String, extra: [String] = []) throws -> CommandResult {
        try ttrpcCall(["--socket", socket, "--namespace", namespace] + extra + [method, request])
    }

    /// Stops what is left: the shim (by its pid, when it is still there),
    /// the container, its cgroup and socket, the events server, the files.
    func stop(shimPid: Int32?) async {
        if let shimPid, kill(shimPid, 0) == 0 { kill(shimPid, SIGKILL) }
        _ = try? runCommand("/usr/bin/env", ["runc", "--root", "/run/containerd/runc/\(namespace)", "delete", "--force", "c1"])
        try? FileManager.default.removeItem(atPath: "/run/containerd/runc/\(namespace)")
        if socket.hasPrefix("unix://") { unlink(String(socket.dropFirst("unix://".count))) }
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            rmdir("/sys/fs/cgroup/\(hierarchy)/\(namespace)/c1")
            rmdir("/sys/fs/cgroup/\(hierarchy)/\(namespace)")
        }
        rmdir("/sys/fs/cgroup/\(namespace)/c1")
        rmdir("/sys/fs/cgroup/\(namespace)")
        await server.close()
        if logFIFO >= 0 { close(logFIFO) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func makeBundle(_ bundle: String, script: String, cgroup: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: bundle + "/rootfs/bin", withIntermediateDirectories: true)
        try files.copyItem(atPath: "/bin/busybox", toPath: bundle + "/rootfs/bin/busybox")
        for name in ["sh", "sleep", "echo", "cat"] {
            try files.createSymbolicLink(atPath: bundle + "/rootfs/bin/" + name, withDestinationPath: "busybox")
        }
        let spec = try runCommand("/usr/bin/env", ["runc", "spec"], directory: bundle)
        guard spec.status == 0 else { throw SceneError("runc spec failed: \(spec.stderr)") }
        let path = bundle + "/config.json"
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any],
            var process = config["process"] as? [String: Any], var linux = config["linux"] as? [String: Any]
        else { throw SceneError("runc spec wrote no config") }
        process["terminal"] = false
        process["args"] = ["/bin/sh", "-c", script]
        linux["cgroupsPath"] = cgroup
        config["process"] = process
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
    }
}

/// The events a shim forwarded, as raw request payloads.
final class EventLog: Sendable {
    private let storage = Mutex<[[UInt8]]>([])

    func append(_ payload: [UInt8]) { storage.withLock { $0.append(payload) } }

    /// The topics seen (`/tasks/create`…), read from the payloads' text.
    var topics: [String] {
        storage.withLock { payloads in
            payloads.compactMap { payload in
                let text = String(decoding: payload, as: UTF8.self)
                return ["/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete", "/tasks/exec-added", "/tasks/oom"]
                    .first { text.contains($0) }
            }
        }
    }
}

/// A failure to set the scene up.
struct SceneError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
