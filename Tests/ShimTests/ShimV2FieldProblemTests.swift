import Foundation
import SwiftProtobuf
import Synchronization
import TTRPC
import TestSupport
import Testing

@testable import RuncShim

/// Problems users hit with runc.v2 shims (containerd issues and PRs named below),
/// each reproduced here: through the shim's own protocol with this test as
/// containerd, or end to end with a private containerd.
@Suite(.serialized) struct ShimV2FieldProblemTests {
    typealias Setup = ShimProtocolTests.Setup

    /// containerd PR #13483: a shim that holds its service lock through
    /// `runc create` lets State of another container time out, and
    /// containerd tears that container down. Here container B's `runc
    /// create` takes 3 s (a wrapper sleeps); State, Pids and Connect of
    /// container A, sent meanwhile, all answer before B's Create does.
    @Test func aSlowCreateNeverHoldsUpAnotherContainer() async throws {
        let setup = try Setup()
        let bundleB = setup.directory.file("bundle-b")
        try Command.check(["cp", "-a", setup.bundle, bundleB])
        let slowRunc = setup.directory.file("slow-runc")
        try TestFile.write(
            "#!/bin/sh\ncase \" $* \" in *\" create \"*\"bundle-b\"*) sleep 3;; esac\nexec runc \"$@\"\n", to: slowRunc)
        chmod(slowRunc, 0o755)
        var options = RuncOptions()
        options.binaryName = slowRunc
        let anyOptions = try Google_Protobuf_Any(message: options)

        let started = try setup.shim("start", binary: ShimHarness.shimV2Binary)
        #expect(started.status == 0, "\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(started.output.dropFirst("unix://".count)))
        let idB = setup.id + "-b"
        _ = try await client.call(
            ShimTaskMethods.create,
            .with {
                $0.id = setup.id; $0.bundle = setup.bundle; $0.options = anyOptions
            })
        _ = try await client.call(ShimTaskMethods.start, .with { $0.id = setup.id })

        let order = Mutex<[String]>([])
        let slowCreate = Task {
            _ = try await client.call(
                ShimTaskMethods.create,
                .with {
                    $0.id = idB; $0.bundle = bundleB; $0.options = anyOptions
                }, timeout: .seconds(30))
            order.withLock { $0.append("create B") }
        }
        try await Task.sleep(for: .milliseconds(300))  // B's runc create is under way
        let state = try await client.call(ShimTaskMethods.state, .with { $0.id = setup.id })
        let pids = try await client.call(ShimTaskMethods.pids, .with { $0.id = setup.id })
        _ = try await client.call(ShimTaskMethods.connect, .with { $0.id = setup.id })
        order.withLock { $0.append("A answered") }
        try await slowCreate.value
        #expect(order.withLock { $0 } == ["A answered", "create B"], "A's requests never waited for B's runc create")
        #expect(state.status == .running && !pids.processes.isEmpty)

        for id in [setup.id, idB] {
            if id == idB { _ = try await client.call(ShimTaskMethods.start, .with { $0.id = idB }) }
            _ = try await client.call(
                ShimTaskMethods.kill,
                .with {
                    $0.id = id; $0.signal = 9
                })
            let waited = try await client.call(ShimTaskMethods.wait, .with { $0.id = id })
            #expect(waited.exitStatus == 137, "\(id)")
            _ = try await client.call(ShimTaskMethods.delete, .with { $0.id = id })
        }
        let shimPid = try #require(Int32(String(contentsOfFile: setup.bundle + "/shim.pid", encoding: .utf8)))
        _ = try await client.call(ShimTaskMethods.shutdown, .with { $0.id = setup.id })
        for _ in 0..<300 where processIsLive(shimPid) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!processIsLive(shimPid), "the shim exited once both were deleted")
        client.close()
        _ = try? Command.run(["runc", "--root", "/run/containerd/runc/\(setup.namespace)", "delete", "--force", idB])
        _ = try? Command.run(["umount", "-R", bundleB + "/rootfs"])
        await setup.cleanUp()
    }

    /// containerd #6860: containerd died between `start` and Create; on
    /// restart 1.7+ asks the orphaned shim for Pids and, told NotFound,
    /// shuts it down. Both shims answer NotFound and then exit.
    @Test(arguments: ["ours", "go"])
    func anOrphanedShimAnswersPidsNotFoundAndShutsDown(_ shimName: String) async throws {
        let setup = try Setup()
        let binary = shimName == "go" ? ShimV2GroupTests.goShim : ShimHarness.shimV2Binary
        // The `log` FIFO containerd makes in the bundle, with a reader, as
        // Go's serving shim opens it for writing before it serves.
        mkfifo(setup.bundle + "/log", 0o600)
        let logReader = open(setup.bundle + "/log", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        defer { close(logReader) }
        let started = try setup.shim("start", binary: binary)
        #expect(started.status == 0, "\(shimName): \(started.errors)")
        let socket = String(started.output.dropFirst("unix://".count))
        let client = try TTRPCClient(connectingTo: socket)
        let connected = try await client.call(ShimTaskMethods.connect, .with { $0.id = setup.id })
        do {
            _ = try await client.call(ShimTaskMethods.pids, .with { $0.id = setup.id })
            Issue.record("\(shimName): Pids of a container never created answered")
        } catch {
            #expect(error.code == .notFound, "\(shimName): \(error)")
        }
        _ = try? await client.call(ShimTaskMethods.shutdown, .with { $0.id = setup.id })
        let shimPid = Int32(bitPattern: connected.shimPid)
        for _ in 0..<300 where processIsLive(shimPid) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!processIsLive(shimPid), "\(shimName): the orphaned shim exited")
        client.close()
        await setup.cleanUp()
    }

    /// containerd #12344: shims left behind under pod churn. Thirty
    /// short-lived containers, each its own group, five at a time: once
    /// they are done, no shim of this namespace runs and none of their
    /// sockets is left. Ours and Go's.
    @Test(arguments: ["ours", "go"])
    func churnLeavesNoShimBehind(_ shimName: String) async throws {
        let release = ShimHarness.defaultRelease
        let harness = try ShimHarness(shim: shimName == "go" ? release.goShimV2 : ShimHarness.shimV2Binary, release: release)
        defer { harness.stop() }
        let pods = (0..<30).map { "churn\($0)" }
        for batch in stride(from: 0, to: pods.count, by: 5) {
            try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for pod in pods[batch..<min(batch + 5, pods.count)] {
                    group.addTask {
                        try await Command.runOffPool(
                            harness.containerd.ctrArguments([
                                "run", "--rm", "--runtime", harness.shim, "--annotation", "io.kubernetes.cri.sandbox-id=\(pod)",
                                "--rootfs", harness.rootfs.path, pod, "/bin/true",
                            ]))
                    }
                }
                for try await result in group { #expect(result.status == 0, "\(shimName): \(result.errors)") }
            }
        }
        #expect(await harness.waitForShimCount(0), "\(shimName): shims left: \(harness.shimProcesses())")
        let sockets = pods.map {
            StartAction.socketPath(address: harness.containerd.address, namespace: harness.containerd.namespace, id: $0)
        }
        let left = sockets.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(left.isEmpty, "\(shimName): sockets left: \(left)")
    }

    /// containerd #6771: the container exits while containerd is down; on
    /// restart the task shows STOPPED with its exit code, Delete works and
    /// the shim goes away. Ours and Go's.
    @Test(arguments: ["ours", "go"])
    func aContainerExitingWhileContainerdIsDownIsReportedAfterwards(_ shimName: String) async throws {
        let release = ShimHarness.defaultRelease
        let harness = try ShimHarness(shim: shimName == "go" ? release.goShimV2 : ShimHarness.shimV2Binary, release: release)
        defer { harness.stop() }
        let started = try await harness.run("lonely", ["/bin/sh", "-c", "trap 'exit 21' TERM; while :; do sleep 0.1; done"], detach: true)
        #expect(started.status == 0, "\(shimName): \(started.errors)")
        let initPid = try #require(Int32(String(contentsOfFile: harness.bundle("lonely") + "/init.pid", encoding: .utf8)))
        try harness.containerd.restart(whileDown: {
            kill(initPid, SIGTERM)
            for _ in 0..<200 where processIsLive(initPid) { usleep(10_000) }
        })
        var listed = ""
        for _ in 0..<400 {
            listed = try await harness.ctr("task", "ls").output
            if listed.contains("STOPPED") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(listed.contains("lonely") && listed.contains("STOPPED"), "\(shimName): \(listed)")
        let deleted = try await harness.ctr("task", "delete", "lonely")
        #expect(deleted.status == 0 && deleted.errors.contains("exit code 21"), "\(shimName): \(deleted.errors)")
        _ = try await harness.ctr("container", "delete", "lonely")
        #expect(await harness.waitForShimCount(0), "\(shimName): \(harness.shimProcesses())")
    }
}
