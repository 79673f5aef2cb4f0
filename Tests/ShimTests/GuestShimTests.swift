import Foundation
import TestSupport
import Testing

/// Our runc.v2 shim, and Debian's Go runc.v2 shim beside it, on a cgroup v2
/// only host (the test guest, `make test-vm`): metrics in containerd's v2
/// shape, the OOM sequence, pause/resume through cgroup.freeze, update read
/// back from the unified hierarchy, a group's containers each with their own
/// stats. Each test runs with both shims and expects the same.
@Suite(.serialized, .enabled(if: GuestHost.isCgroupV2Only, "needs a cgroup v2 only host: make test-vm"))
struct GuestShimTests {
    static let goShim = "/usr/bin/containerd-shim-runc-v2"
    static let shims = ["ours", "go"]

    static func binary(_ shim: String) -> String { shim == "go" ? goShim : ShimHarness.shimV2Binary }

    /// `ctr task metrics --format json`, decoded.
    static func metrics(_ harness: ShimHarness, _ id: String) async throws -> [String: Any] {
        let result = try await harness.ctr("task", "metrics", "--format", "json", id)
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any] else {
            throw CommandError(command: ["ctr", "task", "metrics", id], result: result)
        }
        return object
    }

    static func value(_ object: [String: Any], _ path: String...) -> UInt64 {
        var current: Any? = object
        for key in path { current = (current as? [String: Any])?[key] }
        return (current as? NSNumber)?.uint64Value ?? 0
    }

    static func cgroupFile(_ harness: ShimHarness, _ id: String, _ file: String) -> String {
        let text = (try? String(contentsOfFile: "/sys/fs/cgroup/\(harness.containerd.namespace)/\(id)/\(file)", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: shims) func metricsHaveContainerdsV2Shape(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        defer { harness.stop() }
        let started = try await harness.ctr(
            "run", "-d", "--memory-limit", "\(64 << 20)", "--runtime", harness.shim, "--rootfs", harness.rootfs.path, "metered",
            "/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1000")
        #expect(started.status == 0, "\(started.errors)")
        var metrics: [String: Any] = [:]
        for _ in 0..<100 {
            metrics = try await Self.metrics(harness, "metered")
            if Self.value(metrics, "cpu", "usage_usec") > 0 && Self.value(metrics, "memory", "usage") > 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Self.value(metrics, "memory", "usage_limit") == 64 << 20, "\(shim): \(metrics)")
        #expect(Self.value(metrics, "memory", "usage") > 0, "\(shim): \(metrics)")
        #expect(Self.value(metrics, "cpu", "usage_usec") > 0, "\(shim): \(metrics)")
        #expect(Self.value(metrics, "pids", "current") >= 1, "\(shim): \(metrics)")
        #expect(Self.value(metrics, "pids", "limit") == UInt64.max, "\(shim): no pids limit reads as the Go shim reports it")
        #expect(metrics["memory_events"] != nil || metrics["memoryEvents"] != nil || shim == "go", "\(shim): \(metrics.keys)")
        print("v2 metrics, \(shim): \(metrics)")
    }

    @Test(arguments: shims) func oomIsReportedBeforeTheExit(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        defer { harness.stop() }
        let (result, topics) = try await ShimTaskServiceTests.runOutOfMemory(harness, settle: .milliseconds(500))
        #expect(result.status == 137, "\(shim): \(result.errors)")
        #expect(topics.contains("/tasks/oom"), "\(shim): \(topics)")
        if let oom = topics.firstIndex(of: "/tasks/oom"), let exit = topics.firstIndex(of: "/tasks/exit") {
            #expect(oom < exit, "\(shim): \(topics)")
        }
        print("OOM sequence, \(shim): \(topics)")
    }

    @Test(arguments: shims) func pauseAndResumeThroughCgroupFreeze(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        defer { harness.stop() }
        #expect(try await harness.run("frozen", ["/bin/sleep", "1000"], detach: true).status == 0)
        #expect(try await harness.ctr("task", "pause", "frozen").status == 0)
        #expect(Self.cgroupFile(harness, "frozen", "cgroup.freeze") == "1")
        #expect(Self.cgroupFile(harness, "frozen", "cgroup.events").contains("frozen 1"))
        #expect(try await harness.ctr("task", "ls").output.contains("PAUSED"))
        #expect(try await harness.ctr("task", "resume", "frozen").status == 0)
        #expect(Self.cgroupFile(harness, "frozen", "cgroup.freeze") == "0")
        #expect(try await harness.ctr("task", "ls").output.contains("RUNNING"))
    }

    @Test(arguments: shims) func updateReachesTheUnifiedHierarchy(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        defer { harness.stop() }
        let outcome = try await GoShimParityTests().outcomes(harness, shim: harness.shim, "update", id: "updated")
        #expect(outcome["update"] as? String == "ok", "\(shim): \(outcome)")
        #expect(outcome["memoryLimit"] as? String == "67108864", "\(shim): \(outcome)")
        #expect(outcome["cpuQuota"] as? String == "50000", "\(shim): \(outcome)")
    }

    /// The ShimCgroup runtime option on the unified hierarchy: the shim
    /// moves itself into that cgroup when it starts.
    @Test(arguments: shims) func shimJoinsTheCgroupItIsGiven(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        let cgroup = "/swift-shim-cgroup-\(getpid())-\(shim)"
        mkdir("/sys/fs/cgroup" + cgroup, 0o755)
        defer {
            harness.stop()
            rmdir("/sys/fs/cgroup" + cgroup)
        }
        let client = try await GoBuild.binaryOffPool(for: GoShimParityTests.clientSource, name: "go-task-client")
        let result = try await Command.runOffPool([
            client, "-address", harness.containerd.address, "-namespace", harness.containerd.namespace, "-runtime", harness.shim,
            "-rootfs", harness.rootfs.path, "-shim-cgroup", cgroup, "shim-cgroup", "placed",
        ])
        #expect(result.status == 0 && result.output.contains("\"create\":\"ok\""), "\(shim): \(result.output) \(result.errors)")
        let shims = harness.shimProcesses()
        #expect(shims.count == 1, "\(shim): \(shims)")
        for pid in shims {
            let membership = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
            #expect(membership.trimmingCharacters(in: .whitespacesAndNewlines) == "0::\(cgroup)", "\(shim): \(membership)")
        }
    }

    /// Two containers of one runc.v2 group share a shim, each with its own
    /// cgroup and so its own memory limit in its metrics.
    @Test(arguments: shims) func groupMembersHaveTheirOwnStats(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        defer { harness.stop() }
        for (id, limit) in [("first", 48 << 20), ("second", 80 << 20)] {
            let started = try await harness.ctr(
                "run", "-d", "--memory-limit", "\(limit)", "--annotation", "io.containerd.runc.v2.group=pair", "--runtime", harness.shim,
                "--rootfs", harness.rootfs.path, id, "/bin/sleep", "1000")
            #expect(started.status == 0, "\(started.errors)")
        }
        let first = try await Self.metrics(harness, "first")
        let second = try await Self.metrics(harness, "second")
        #expect(Self.value(first, "memory", "usage_limit") == 48 << 20, "\(shim): \(first)")
        #expect(Self.value(second, "memory", "usage_limit") == 80 << 20, "\(shim): \(second)")
        let shims = harness.shimProcesses()
        #expect(shims.count == 1, "one shim for the group: \(shims)")
    }
}
