import Foundation
import TestSupport
import Testing

/// A pod through its whole life, driven as the kubelet drives it: through
/// containerd's CRI plugin, on every containerd release in use, with our
/// shim and with the release's Go runc.v2 shim (so the test is known to
/// test the right thing).
@Suite(.serialized) struct PodLifecycleTests {
    @Test(arguments: ContainerdRelease.allCases, PodShim.allCases)
    func podThroughItsWholeLife(release: ContainerdRelease, shim: PodShim) async throws {
        try #require(release.isAvailable, "\(release) is missing: run scripts/install-deps")
        let cri = try CRIContainerd(release: release, shim: shim)
        do {
            try await PodScenario(cri: cri).run()
        } catch {
            Issue.record("\(release), \(shim): \(error)\n\(cri.log().suffix(3000))")
        }
        await cri.stop()
    }
}

/// The steps of ``PodLifecycleTests``, with what each must show.
struct PodScenario {
    let cri: CRIContainerd
    var client: CRIClient { cri.client }

    func run() async throws {
        let version = try await client.call("Version")
        #expect(version["runtime_api_version"] as? String == "v1")

        let sandbox = cri.sandboxConfig("web")
        let pod = try #require(
            try await client.call("RunPodSandbox", ["config": sandbox, "runtime_handler": "runc"])["pod_sandbox_id"] as? String)
        let group = try cri.shimSocket(group: pod)

        // Three containers: one that ends on SIGTERM, one that ignores it,
        // one with stdin for an attach.
        let app = try await create(
            pod, sandbox, "app",
            ["sh", "-c", "echo hello; echo oops >&2; trap 'exit 0' TERM; while true; do sleep 1; done"],
            ["linux": ["resources": ["memory_limit_in_bytes": 64 << 20]]])
        let stubborn = try await create(pod, sandbox, "stubborn", ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"])
        let talker = try await create(
            pod, sandbox, "talker", ["sh", "-c", "read line; echo attached:$line; while true; do sleep 1; done"], ["stdin": true])
        for id in [app, stubborn, talker] { try await client.call("StartContainer", ["container_id": id]) }

        #expect(cri.liveShims().count == 1, "every container of a pod shares one shim: \(cri.liveShims())")
        #expect(cri.liveShims().map(cri.executable) == [cri.resolvedShimBinary], "the pod runs on the shim under test")
        #expect(FileManager.default.fileExists(atPath: group), "the pod's shim socket is \(group)")

        // ExecSync: output and exit code.
        let sync = try await client.call(
            "ExecSync", ["container_id": app, "cmd": ["sh", "-c", "echo out; echo err >&2; exit 3"], "timeout": 20])
        #expect(decoded(sync["stdout"]) == "out\n")
        #expect(decoded(sync["stderr"]) == "err\n")
        #expect(sync["exit_code"] as? Int == 3)

        // Exec and Attach through containerd's streaming server.
        let exec = try await client.stream(
            "exec",
            ["container_id": app, "cmd": ["sh", "-c", "read x; echo got:$x; exit 4"], "stdin": true, "stdout": true, "stderr": true],
            stdin: "ping\n")
        #expect(exec.stdout == "got:ping\n")
        #expect(exec.exitCode == 4)
        let attach = try await client.stream(
            "attach", ["container_id": talker, "stdin": true, "stdout": true, "stderr": true], stdin: "hi\n", until: "attached:hi")
        #expect(attach.stdout.contains("attached:hi"), "\(attach)")

        // ContainerStatus and the log in CRI's format on disk.
        let status = try await client.call("ContainerStatus", ["container_id": app])["status"] as? JSONObject ?? [:]
        #expect(status["state"] as? String == "CONTAINER_RUNNING")
        let logPath = cri.logDirectory + "/web/app.log"
        #expect(status["log_path"] as? String == logPath)
        let log = try await eventually { () -> [Substring]? in
            let lines = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n")
            return lines.count >= 2 ? lines : nil
        }
        for (stream, text) in [("stdout", "hello"), ("stderr", "oops")] {
            #expect(
                log.contains { line in
                    let fields = line.split(separator: " ", maxSplits: 3)
                    return fields.count == 4 && fields[0].contains("T") && fields[1] == stream && fields[2] == "F" && fields[3] == text
                }, "\(stream) line in \(log)")
        }

        // Stats: each container's from the shim, the pod's from its cgroup.
        let list = try await client.call("ListContainerStats", ["filter": ["pod_sandbox_id": pod]])["stats"] as? [JSONObject] ?? []
        #expect(list.count == 3)
        for stats in list {
            #expect(number(stats, "memory", "working_set_bytes", "value") > 0, "\(stats)")
            #expect(number(stats, "cpu", "usage_core_nano_seconds", "value") > 0, "\(stats)")
        }
        let podStats = try await client.call("PodSandboxStats", ["pod_sandbox_id": pod])["stats"] as? JSONObject ?? [:]
        #expect(number(podStats, "linux", "memory", "working_set_bytes", "value") > 0, "\(podStats)")
        #expect((podStats["linux"] as? JSONObject)?["containers"].map { ($0 as? [Any])?.count } == 3, "\(podStats)")

        // UpdateContainerResources reaches the container's cgroup.
        try await client.call(
            "UpdateContainerResources", ["container_id": app, "linux": ["memory_limit_in_bytes": 100 << 20, "cpu_shares": 512]])
        let cgroup = "\(cri.cgroupRoot)/web/\(app)"
        #expect(readCgroup("memory", cgroup, "memory.limit_in_bytes") == "\(100 << 20)")
        #expect(readCgroup("cpu", cgroup, "cpu.shares") == "512")

        // A container over its memory limit: OOMKilled, 137.
        let hog = try await create(
            pod, sandbox, "hog", ["sh", "-c", "tail /dev/zero"],
            ["linux": ["resources": ["memory_limit_in_bytes": 32 << 20, "memory_swap_limit_in_bytes": 32 << 20]]])
        try await client.call("StartContainer", ["container_id": hog])
        let oom = try await exited(hog)
        #expect(oom["reason"] as? String == "OOMKilled", "\(oom)")
        #expect(oom["exit_code"] as? Int == 137, "\(oom)")

        // StopContainer with a grace period: SIGTERM ends one, SIGKILL the other.
        try await client.call("StopContainer", ["container_id": app, "timeout": 10])
        try await client.call("StopContainer", ["container_id": stubborn, "timeout": 2])
        try await client.call("StopContainer", ["container_id": talker, "timeout": 0])
        #expect(try await exited(app)["exit_code"] as? Int == 0)
        #expect(try await exited(stubborn)["exit_code"] as? Int == 137)
        #expect(try await exited(talker)["exit_code"] as? Int == 137)
        for id in [app, stubborn, talker, hog] { try await client.call("RemoveContainer", ["container_id": id]) }
        try await client.call("StopPodSandbox", ["pod_sandbox_id": pod])
        try await client.call("RemovePodSandbox", ["pod_sandbox_id": pod])

        // Nothing left: shim, socket, mount, cgroup, netns.
        let shims = try await eventually { cri.liveShims().isEmpty ? true : nil }
        #expect(shims)
        #expect(!FileManager.default.fileExists(atPath: group), "socket \(group) left")
        #expect(cri.mountsLeft().isEmpty, "\(cri.mountsLeft())")
        #expect(cri.containerCgroupsLeft().isEmpty, "\(cri.containerCgroupsLeft())")
        #expect(cri.podNetworkNamespacesLeft().isEmpty, "\(cri.podNetworkNamespacesLeft())")
    }

    private func create(_ pod: String, _ sandbox: JSONObject, _ name: String, _ command: [String], _ extra: JSONObject = [:])
        async throws -> String
    {
        let response = try await client.call(
            "CreateContainer",
            ["pod_sandbox_id": pod, "config": cri.containerConfig(name, command, extra: extra), "sandbox_config": sandbox])
        return try #require(response["container_id"] as? String)
    }

    /// The container's status once it has exited.
    private func exited(_ id: String) async throws -> JSONObject {
        try await eventually {
            let status = try? await client.call("ContainerStatus", ["container_id": id])["status"] as? JSONObject
            return status?["state"] as? String == "CONTAINER_EXITED" ? status : nil
        }
    }
}

/// Polls `probe` every 100 ms for up to `seconds`; its first non-nil value.
func eventually<T>(seconds: Double = 30, _ probe: () async throws -> T?) async throws -> T {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if let value = try await probe() { return value }
        guard Date() < deadline else { throw CRIError(code: "TIMEOUT", message: "condition not met within \(seconds) s") }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// A base64 `bytes` field as text.
func decoded(_ field: Any?) -> String {
    guard let text = field as? String, let data = Data(base64Encoded: text) else { return "" }
    return String(decoding: data, as: UTF8.self)
}

/// A nested numeric field (int64 fields arrive as strings), 0 when absent.
func number(_ object: JSONObject, _ path: String...) -> Int64 {
    var current: Any? = object
    for key in path { current = (current as? JSONObject)?[key] }
    if let text = current as? String { return Int64(text) ?? 0 }
    return (current as? NSNumber)?.int64Value ?? 0
}

/// A cgroup v1 file's first line.
func readCgroup(_ controller: String, _ path: String, _ file: String) -> String {
    let text = (try? String(contentsOfFile: "/sys/fs/cgroup/\(controller)/\(path)/\(file)", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").first.map(String.init) ?? ""
}
