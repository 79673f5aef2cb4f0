import Foundation
import TestSupport

/// Which shim serves the pods: ours, or the release's Go runc.v2 shim.
enum PodShim: String, CaseIterable, Sendable, CustomStringConvertible {
    case ours, go
    var description: String { rawValue }
}

/// A containerd with its CRI plugin enabled, started for one test: root,
/// state, sockets, runc state, CNI configuration and IP allocations under a
/// temporary directory; the CRI `runc` handler (`io.containerd.runc.v2`) runs
/// the shim under test. It runs in a network namespace of its own, so CNI's
/// bridge and the pods' veths never touch the host's network. Pod cgroups go
/// under a top-level cgroup named for the test. Stopped by its pid.
final class CRIContainerd: @unchecked Sendable {
    let release: ContainerdRelease
    let shim: PodShim
    let directory: TemporaryDirectory
    /// The network namespace containerd (and so CNI) runs in.
    let networkNamespace: String
    /// The top-level cgroup the pods' cgroups go under.
    let cgroupRoot: String
    let client: CRIClient
    private var pid: pid_t = 0

    var address: String { directory.file("containerd.sock") }
    var runcRoot: String { directory.file("runc") }
    var logDirectory: String { directory.file("pod-logs") }

    /// The shim binary the `runc` handler runs.
    var shimBinary: String {
        switch shim {
        case .go: return release.goShimV2
        case .ours: return ShimUnderTest.runcV2
        }
    }

    private static let counter = Counter()

    init(release: ContainerdRelease, shim: PodShim) throws {
        self.release = release
        self.shim = shim
        let tag = "\(getpid())-\(Self.counter.next())"
        networkNamespace = "swift-cri-\(tag)"
        cgroupRoot = "swift-cri-\(tag)"
        directory = try TemporaryDirectory(prefix: "cri-containerd")
        try Command.check(["ip", "netns", "add", networkNamespace])
        do {
            // The client connects at its first call.
            client = try CRIClient(socket: directory.file("containerd.sock"), networkNamespace: networkNamespace)
        } catch {
            _ = try? Command.run(["ip", "netns", "del", networkNamespace])
            directory.remove()
            throw error
        }
        do {
            try Command.check(["ip", "-n", networkNamespace, "link", "set", "lo", "up"])
            try writeConfiguration()
            try launch()
            for archive in try PodImages.build(in: directory) {
                try Command.check(ctrArguments(["images", "import", archive]))
            }
        } catch {
            client.stop()
            terminate()
            cleanUpHost()
            throw error
        }
    }

    /// `ctr` aimed at this containerd, in CRI's namespace `k8s.io`.
    func ctrArguments(_ arguments: [String]) -> [String] {
        [release.binaries.map { $0 + "/ctr" } ?? "ctr", "--address", address, "--namespace", "k8s.io"] + arguments
    }

    /// A pod's sandbox configuration: its cgroup parent under ``cgroupRoot``,
    /// its logs under ``logDirectory``.
    func sandboxConfig(_ name: String) -> JSONObject {
        [
            "metadata": ["name": name, "uid": "uid-\(name)", "namespace": "swift-test", "attempt": 0],
            "log_directory": logDirectory + "/" + name,
            "linux": ["cgroup_parent": "/\(cgroupRoot)/\(name)"],
        ]
    }

    /// A busybox container running `command`.
    func containerConfig(_ name: String, _ command: [String], extra: JSONObject = [:]) -> JSONObject {
        var config: JSONObject = [
            "metadata": ["name": name], "image": ["image": PodImages.busybox], "command": command, "log_path": "\(name).log",
        ]
        config.merge(extra) { $1 }
        return config
    }

    /// The shim processes serving this containerd that are alive (not zombies).
    func liveShims() -> [Int32] {
        liveProcesses { arguments in
            arguments.contains(address) && arguments.contains { $0.hasSuffix("containerd-shim-runc-v2") }
        }
    }

    /// ``shimBinary`` with symbolic links resolved, as /proc/PID/exe shows it.
    var resolvedShimBinary: String { URL(fileURLWithPath: shimBinary).resolvingSymlinksInPath().path }

    /// The executable a process runs (/proc/PID/exe).
    func executable(_ pid: Int32) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
    }

    /// Mount points under this containerd's directory (snapshots, netns bind mounts).
    func mountsLeft() -> [String] {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4].hasPrefix(directory.path) else { return nil }
            return String(fields[4])
        }
    }

    /// Cgroup directories of containers left under a pod's parent, in any hierarchy.
    func containerCgroupsLeft() -> [String] {
        var left: [String] = []
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            let root = "/sys/fs/cgroup/\(hierarchy)/\(cgroupRoot)"
            for pod in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: "\(root)/\(pod)", isDirectory: &isDirectory), isDirectory.boolValue
                else { continue }
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(pod)")) ?? [] {
                    var entryIsDirectory: ObjCBool = false
                    if FileManager.default.fileExists(atPath: "\(root)/\(pod)/\(entry)", isDirectory: &entryIsDirectory),
                        entryIsDirectory.boolValue
                    {
                        left.append("\(root)/\(pod)/\(entry)")
                    }
                }
            }
        }
        return left
    }

    /// Network namespaces containerd mounted for pods and has not removed.
    func podNetworkNamespacesLeft() -> [String] {
        mountsLeft().filter { $0.contains("/netns/") }
    }

    /// The socket path a runc.v2 shim serves a group on (the pod's sandbox id).
    func shimSocket(group: String) throws -> String {
        let joined = "/" + (address + "/k8s.io/" + group).split(separator: "/").joined(separator: "/")
        let digest = try Command.check(["sha256sum"], input: Array(joined.utf8)).output.prefix(64)
        return "/run/containerd/s/\(digest)"
    }

    /// The containerd log so far, for failure messages.
    func log() -> String {
        (try? String(contentsOfFile: directory.file("containerd.log"), encoding: .utf8)) ?? ""
    }

    /// Removes what the tests left through CRI (pods still there), then
    /// stops containerd and removes its mounts, netns, cgroups and runc state.
    func stop() async {
        if let pods = try? await client.call("ListPodSandbox")["items"] as? [JSONObject] {
            for pod in pods {
                guard let id = pod["id"] as? String else { continue }
                _ = try? await client.call("StopPodSandbox", ["pod_sandbox_id": id])
                _ = try? await client.call("RemovePodSandbox", ["pod_sandbox_id": id])
            }
        }
        client.stop()
        terminate()
        for shim in liveShims() { kill(shim, SIGKILL) }
        cleanUpHost()
    }

    private func cleanUpHost() {
        _ = try? Command.run(["umount", "-R", directory.file("root")])
        for mount in mountsLeft().reversed() { _ = try? Command.run(["umount", "-l", mount]) }
        _ = try? Command.run(["ip", "netns", "del", networkNamespace])
        CgroupLeftovers.remove(cgroupRoot)
        directory.remove()
    }

    private func writeConfiguration() throws {
        let cni = """
            {"cniVersion": "0.4.0", "name": "swift-test", "plugins": [{"type": "bridge", "bridge": "swtest0",
              "isGateway": true, "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.88.0.0/16"}]],
              "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "\(directory.file("cni-ipam"))"}}]}
            """
        try FileManager.default.createDirectory(atPath: directory.file("net.d"), withIntermediateDirectories: true)
        try directory.write("net.d/10-swift-test.conflist", cni)
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let runtime = """
              runtime_type = "io.containerd.runc.v2"
              runtime_path = "\(shimBinary)"
              [RUNTIME.options]
                Root = "\(runcRoot)"
            """
        let common = """
            root = "\(directory.file("root"))"
            state = "\(directory.file("state"))"
            disabled_plugins = ["io.containerd.nri.v1.nri"]
            [grpc]
              address = "\(address)"
            [ttrpc]
              address = "\(address).ttrpc"
            """
        let config: String
        if release == .sid {
            let plugin = "plugins.\"io.containerd.cri.v1.runtime\""
            config = """
                version = 3
                \(common)
                [plugins."io.containerd.cri.v1.images"]
                  snapshotter = "overlayfs"
                  [plugins."io.containerd.cri.v1.images".pinned_images]
                    sandbox = "\(PodImages.pause)"
                [\(plugin)]
                  enable_selinux = false
                  disable_apparmor = true
                  restrict_oom_score_adj = true
                  netns_mounts_under_state_dir = true
                  [\(plugin).containerd]
                    default_runtime_name = "runc"
                    [\(plugin).containerd.runtimes.runc]
                \(runtime.replacingOccurrences(of: "RUNTIME", with: "\(plugin).containerd.runtimes.runc"))
                  [\(plugin).cni]
                    bin_dirs = ["/usr/lib/cni"]
                    conf_dir = "\(directory.file("net.d"))"
                [plugins."io.containerd.grpc.v1.cri"]
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                """
        } else {
            let plugin = "plugins.\"io.containerd.grpc.v1.cri\""
            config = """
                version = 2
                \(common)
                [\(plugin)]
                  sandbox_image = "\(PodImages.pause)"
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  enable_selinux = false
                  disable_apparmor = true
                  restrict_oom_score_adj = true
                  netns_mounts_under_state_dir = true
                  [\(plugin).containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [\(plugin).containerd.runtimes.runc]
                \(runtime.replacingOccurrences(of: "RUNTIME", with: "\(plugin).containerd.runtimes.runc"))
                  [\(plugin).cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "\(directory.file("net.d"))"
                """
        }
        try directory.write("config.toml", config)
        // containerd 1.6 does not use runtime_path (measured): it runs the
        // first containerd-shim-runc-v2 on its PATH, which is how an
        // operator installs a shim there. Ours goes first on that PATH.
        try FileManager.default.createDirectory(atPath: directory.file("shim-bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory.file("shim-bin/containerd-shim-runc-v2"), withDestinationPath: shimBinary)
    }

    private func launch() throws {
        let log = open(directory.file("containerd.log"), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(log) }
        var environment = ProcessInfo.processInfo.environment
        let path = [directory.file("shim-bin"), release.binaries].compactMap { $0 }.joined(separator: ":")
        environment["PATH"] = "\(path):\(environment["PATH"] ?? "/usr/bin:/bin"):/usr/sbin:/sbin"
        let containerd = try release.binaries.map { $0 + "/containerd" } ?? Command.resolve("containerd")
        pid = try BackgroundDaemon.start(
            ["/usr/bin/nsenter", "--net=/run/netns/\(networkNamespace)", containerd, "--config", directory.file("config.toml")],
            environment: environment, output: log)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: address), (try? Command.run(ctrArguments(["version"])))?.status == 0 { return }
            usleep(50_000)
        }
        throw CRIError(code: "SETUP", message: "containerd did not start: \(self.log())")
    }

    /// SIGTERM, then SIGKILL after 10 s.
    private func terminate() {
        guard pid > 0 else { return }
        BackgroundDaemon.stop(pid)
        pid = 0
    }
}

/// A per-process counter for unique names.
private final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
