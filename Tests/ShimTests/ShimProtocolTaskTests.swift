import Foundation
import SwiftProtobuf
import Synchronization
import TTRPC
import TestSupport
import Testing

@testable import RuncShim

/// The rest of the task service called directly, with this test acting as
/// containerd: exec error codes, Update read back from the cgroup, Stats as
/// containerd's metrics message, Pause/Resume states, and checkpoint
/// handling (criu 3.17 cannot run on this kernel: only the request handling
/// and runc's invocation are proven, not a working checkpoint).
@Suite(.serialized) struct ShimProtocolTaskTests {
    typealias Setup = ShimProtocolTests.Setup
    let task = "containerd.task.v2.Task"

    func expectCode(_ code: TTRPCCode, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
        } catch let error as TTRPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Starts the shim and a running container; returns the client and the init pid.
    func running(_ setup: Setup, options: Google_Protobuf_Any = Google_Protobuf_Any()) async throws -> (TTRPCClient, UInt32) {
        let started = try setup.shim("start")
        #expect(started.status == 0, "\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(started.output.dropFirst("unix://".count)))
        let created: ShimCreateTaskResponse = try await client.call(
            task, "Create",
            ShimCreateTaskRequest.with {
                $0.id = setup.id; $0.bundle = setup.bundle; $0.options = options
            })
        let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
        return (client, created.pid)
    }

    func finish(_ setup: Setup, _ client: TTRPCClient) async throws {
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Kill",
            ShimKillRequest.with {
                $0.id = setup.id; $0.signal = 9
            })
        let _: ShimWaitResponse = try await client.call(task, "Wait", ShimWaitRequest.with { $0.id = setup.id })
        let _: ShimDeleteResponse = try await client.call(task, "Delete", ShimDeleteRequest.with { $0.id = setup.id })
        let _: Google_Protobuf_Empty = try await client.call(task, "Shutdown", ShimShutdownRequest.with { $0.id = setup.id })
        client.close()
        await setup.cleanUp()
    }

    static func processSpec(_ args: [String]) -> Google_Protobuf_Any {
        let quoted = args.map { "\"\($0)\"" }.joined(separator: ",")
        var any = Google_Protobuf_Any()
        any.typeURL = "types.containerd.io/opencontainers/runtime-spec/1/Process"
        any.value = Data("{\"args\":[\(quoted)],\"cwd\":\"/\",\"env\":[\"PATH=/bin\"],\"user\":{\"uid\":0,\"gid\":0}}".utf8)
        return any
    }

    @Test func execErrorCodesAndEvents() async throws {
        let setup = try Setup()
        let (client, _) = try await running(setup)
        let exec = ShimExecProcessRequest.with {
            $0.id = setup.id; $0.execID = "e"; $0.spec = Self.processSpec(["/bin/sleep", "1000"])
        }
        let _: Google_Protobuf_Empty = try await client.call(task, "Exec", exec)
        await expectCode(.alreadyExists) { let _: Google_Protobuf_Empty = try await client.call(task, "Exec", exec) }
        await expectCode(.notFound) {
            let _: ShimStartResponse = try await client.call(
                task, "Start",
                ShimStartRequest.with {
                    $0.id = setup.id; $0.execID = "nope"
                })
        }
        await expectCode(.unknown) {
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Exec",
                ShimExecProcessRequest.with {
                    $0.id = setup.id; $0.execID = "bad"; $0.spec.value = Data("not json".utf8)
                })
        }
        let started: ShimStartResponse = try await client.call(
            task, "Start",
            ShimStartRequest.with {
                $0.id = setup.id; $0.execID = "e"
            })
        #expect(started.pid > 0)
        await expectCode(.unknown) {
            let _: ShimStartResponse = try await client.call(
                task, "Start",
                ShimStartRequest.with {
                    $0.id = setup.id; $0.execID = "e"
                })
        }
        let state: ShimStateResponse = try await client.call(
            task, "State",
            ShimStateRequest.with {
                $0.id = setup.id; $0.execID = "e"
            })
        #expect(state.status == .running && state.pid == started.pid && state.execID == "e")
        // A process that has not exited reports Go's zero time (0001-01-01T00:00:00Z), as the Go shim does.
        #expect(state.hasExitedAt && state.exitedAt.seconds == -62_135_596_800 && state.exitedAt.nanos == 0)
        await expectCode(.unknown) {
            let _: ShimDeleteResponse = try await client.call(
                task, "Delete",
                ShimDeleteRequest.with {
                    $0.id = setup.id; $0.execID = "e"
                })
        }
        let pids: ShimPidsResponse = try await client.call(task, "Pids", ShimPidsRequest.with { $0.id = setup.id })
        let detail = pids.processes.first { $0.pid == started.pid }?.info
        #expect(detail?.typeURL == "containerd.runc.v1.ProcessDetails")
        #expect(try detail.map { try RuncProcessDetails(serializedBytes: $0.value).execID } == "e")

        let _: Google_Protobuf_Empty = try await client.call(
            task, "Kill",
            ShimKillRequest.with {
                $0.id = setup.id; $0.execID = "e"; $0.signal = 15
            })
        let waited: ShimWaitResponse = try await client.call(
            task, "Wait",
            ShimWaitRequest.with {
                $0.id = setup.id; $0.execID = "e"
            })
        #expect(waited.exitStatus == 143)
        let deleted: ShimDeleteResponse = try await client.call(
            task, "Delete",
            ShimDeleteRequest.with {
                $0.id = setup.id; $0.execID = "e"
            })
        #expect(deleted.exitStatus == 143 && deleted.pid == started.pid)
        await expectCode(.notFound) {
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Kill",
                ShimKillRequest.with {
                    $0.id = setup.id; $0.execID = "e"; $0.signal = 9
                })
        }
        try await finish(setup, client)
        #expect(
            setup.topics.all == [
                "/tasks/create", "/tasks/start", "/tasks/exec-added", "/tasks/exec-started", "/tasks/exit", "/tasks/exit", "/tasks/delete",
            ], "\(setup.topics.all)")
    }

    /// CloseIO that arrives before Start (containerd #4489's race, seen
    /// from the shim) still gives the process EOF once it runs.
    @Test func closeIOBeforeStartReachesTheProcess() async throws {
        let setup = try Setup()
        let (client, _) = try await running(setup)
        let input = setup.directory.file("exec-stdin")
        let output = setup.directory.file("exec-stdout")
        #expect(mkfifo(input, 0o600) == 0 && mkfifo(output, 0o600) == 0)
        let reader = open(output, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        defer { close(reader) }
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Exec",
            ShimExecProcessRequest.with {
                $0.id = setup.id; $0.execID = "cat"; $0.stdin = input; $0.stdout = output; $0.spec = Self.processSpec(["/bin/cat"])
            })
        let writer = open(input, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        #expect(writer >= 0)
        _ = write(writer, "data\n", 5)
        close(writer)
        let _: Google_Protobuf_Empty = try await client.call(
            task, "CloseIO",
            ShimCloseIORequest.with {
                $0.id = setup.id; $0.execID = "cat"; $0.stdin = true
            })
        let _: ShimStartResponse = try await client.call(
            task, "Start",
            ShimStartRequest.with {
                $0.id = setup.id; $0.execID = "cat"
            })
        let waited: ShimWaitResponse = try await client.call(
            task, "Wait",
            ShimWaitRequest.with {
                $0.id = setup.id; $0.execID = "cat"
            })
        #expect(waited.exitStatus == 0, "cat saw EOF and exited")
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(reader, &buffer, buffer.count)
        #expect(count == 5 && String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "data\n")
        let _: ShimDeleteResponse = try await client.call(
            task, "Delete",
            ShimDeleteRequest.with {
                $0.id = setup.id; $0.execID = "cat"
            })
        try await finish(setup, client)
    }

    /// runc's IoUid/IoGid, for a container in a user namespace (root inside
    /// is uid 100000 outside): its stdio are pipes that uid owns, as the Go
    /// shim gives them, so it can reopen them through /proc/self/fd. runc
    /// cannot chown a FIFO from inside the namespace, and the client's
    /// root-owned FIFOs refuse that open.
    @Test func ioOwnerCanReopenItsStdio() async throws {
        let setup = try Setup()
        let configPath = setup.bundle + "/config.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: configPath))
        var config = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        var process = try #require(config["process"] as? [String: Any])
        process["args"] = ["sh", "-c", "read line < /proc/self/fd/0; echo got-$line > /proc/self/fd/1"]
        config["process"] = process
        var linux = try #require(config["linux"] as? [String: Any])
        var namespaces = try #require(linux["namespaces"] as? [[String: Any]])
        namespaces.append(["type": "user"])
        linux["namespaces"] = namespaces
        linux["uidMappings"] = [["containerID": 0, "hostID": 100_000, "size": 65536]]
        linux["gidMappings"] = [["containerID": 0, "hostID": 100_000, "size": 65536]]
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        // The namespace's root (uid 100000 outside) must reach the rootfs.
        chmod(setup.directory.path, 0o755)
        let input = setup.directory.file("init-stdin")
        let output = setup.directory.file("init-stdout")
        #expect(mkfifo(input, 0o600) == 0 && mkfifo(output, 0o600) == 0)
        let reader = open(output, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        defer { close(reader) }
        let started = try setup.shim("start")
        #expect(started.status == 0, "\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(started.output.dropFirst("unix://".count)))
        let options = try Google_Protobuf_Any(
            message: RuncOptions.with {
                $0.ioUid = 100_000; $0.ioGid = 100_000
            })
        let _: ShimCreateTaskResponse = try await client.call(
            task, "Create",
            ShimCreateTaskRequest.with {
                $0.id = setup.id; $0.bundle = setup.bundle; $0.stdin = input; $0.stdout = output; $0.options = options
            })
        // Kept open until the output came, so a reopen of the stdin FIFO itself could not wait for a writer.
        let writer = open(input, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        #expect(writer >= 0)
        _ = write(writer, "ping\n", 5)
        let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
        // Read before Wait: the exit is reported once the client drained its FIFO.
        var buffer = [UInt8](repeating: 0, count: 64)
        var text = ""
        for _ in 0..<200 where !text.hasSuffix("\n") {
            let count = read(reader, &buffer, buffer.count)
            if count > 0 {
                text += String(decoding: buffer[0..<count], as: UTF8.self)
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(text == "got-ping\n", "the container reopened its stdin and stdout")
        close(writer)
        let _: Google_Protobuf_Empty = try await client.call(
            task, "CloseIO",
            ShimCloseIORequest.with {
                $0.id = setup.id; $0.stdin = true
            })
        let waited: ShimWaitResponse = try await client.call(task, "Wait", ShimWaitRequest.with { $0.id = setup.id })
        #expect(waited.exitStatus == 0)
        let _: ShimDeleteResponse = try await client.call(task, "Delete", ShimDeleteRequest.with { $0.id = setup.id })
        let _: Google_Protobuf_Empty = try await client.call(task, "Shutdown", ShimShutdownRequest.with { $0.id = setup.id })
        client.close()
        await setup.cleanUp()
    }

    /// In the host's pid namespace (no pid namespace in the spec) nothing
    /// dies with init: once init exits the shim kills what is left.
    @Test func hostPidNamespaceLeavesNothingBehind() async throws {
        let setup = try Setup()
        let configPath = setup.bundle + "/config.json"
        var config = try String(contentsOfFile: configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "\"sleep\", \"1000\"", with: "\"sh\", \"-c\", \"sleep 1000 & exec sleep 999\"")
        config = config.replacingOccurrences(of: "{\n\t\t\t\t\"type\": \"pid\"\n\t\t\t},", with: "")
        #expect(!config.contains("\"pid\""), "the spec has no pid namespace")
        try TestFile.write(config, to: configPath)
        let (client, initPid) = try await running(setup)
        var pids: [UInt32] = []
        for _ in 0..<100 where pids.count < 2 {
            let listed: ShimPidsResponse = try await client.call(task, "Pids", ShimPidsRequest.with { $0.id = setup.id })
            pids = listed.processes.map(\.pid)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(pids.count == 2, "init and its background sleep: \(pids)")
        // SIGKILL to init alone; the background sleep would live on without the shim.
        kill(Int32(initPid), SIGKILL)
        let _: ShimWaitResponse = try await client.call(task, "Wait", ShimWaitRequest.with { $0.id = setup.id })
        for pid in pids where pid != initPid {
            var gone = false
            for _ in 0..<100 where !gone {
                gone = kill(Int32(pid), 0) != 0
                if !gone { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(gone, "process \(pid) of the container was killed")
        }
        let _: ShimDeleteResponse = try await client.call(task, "Delete", ShimDeleteRequest.with { $0.id = setup.id })
        let _: Google_Protobuf_Empty = try await client.call(task, "Shutdown", ShimShutdownRequest.with { $0.id = setup.id })
        client.close()
        await setup.cleanUp()
    }

    /// Create mounts the rootfs containerd sends (here an overlay, as the
    /// overlayfs snapshotter gives it) with Mount's libmount, the container
    /// writes into the upper layer, and Delete unmounts it again.
    @Test func rootfsMountsAreMountedAndRemoved() async throws {
        let setup = try Setup()
        let layers = setup.directory.file("layers")
        for name in ["upper", "work"] {
            try FileManager.default.createDirectory(atPath: "\(layers)/\(name)", withIntermediateDirectories: true)
        }
        try FileManager.default.moveItem(atPath: setup.bundle + "/rootfs", toPath: "\(layers)/lower")
        let rootfs = setup.bundle + "/rootfs"
        let overlay = CTDMount.with {
            $0.type = "overlay"; $0.source = "overlay"
            $0.options = ["index=off", "lowerdir=\(layers)/lower", "upperdir=\(layers)/upper", "workdir=\(layers)/work"]
        }
        let started = try setup.shim("start")
        #expect(started.status == 0, "\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(started.output.dropFirst("unix://".count)))
        let _: ShimCreateTaskResponse = try await client.call(
            task, "Create",
            ShimCreateTaskRequest.with {
                $0.id = setup.id; $0.bundle = setup.bundle; $0.rootfs = [overlay]
            })
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let line = mountinfo.split(separator: "\n").first { $0.contains(" \(rootfs) ") }
        let nearby = mountinfo.split(separator: "\n").filter { $0.contains(setup.bundle) || $0.contains(layers) }.joined(separator: " | ")
        #expect(
            line?.contains(" - overlay ") == true,
            "the overlay is mounted on the bundle's rootfs: \(line ?? "no mount"); mount table lines under the bundle: \(nearby)")
        let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Exec",
            ShimExecProcessRequest.with {
                $0.id = setup.id; $0.execID = "write"; $0.spec = Self.processSpec(["/bin/sh", "-c", "echo layered > /marker"])
            })
        let _: ShimStartResponse = try await client.call(
            task, "Start",
            ShimStartRequest.with {
                $0.id = setup.id; $0.execID = "write"
            })
        let wrote: ShimWaitResponse = try await client.call(
            task, "Wait",
            ShimWaitRequest.with {
                $0.id = setup.id; $0.execID = "write"
            })
        #expect(wrote.exitStatus == 0)
        let _: ShimDeleteResponse = try await client.call(
            task, "Delete",
            ShimDeleteRequest.with {
                $0.id = setup.id; $0.execID = "write"
            })
        #expect(try String(contentsOfFile: "\(layers)/upper/marker", encoding: .utf8) == "layered\n", "the write landed in the upper layer")
        #expect(!FileManager.default.fileExists(atPath: "\(layers)/lower/marker"), "the lower layer is untouched")
        try await finish(setup, client)
        let after = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!after.contains(" \(rootfs) "), "Delete unmounted the rootfs")
    }

    /// A stopped container on a bind-mounted rootfs, with every umount2 of
    /// its shim slowed by strace (a host under heavy I/O, containerd #7496).
    struct SlowUnmount {
        let setup: Setup
        let client: TTRPCClient
        let initPid: UInt32
        let shimPid: Int32
        let rootfs: String
        let delay: SyscallDelay
    }

    func slowUnmount() async throws -> SlowUnmount {
        let setup = try Setup()
        let image = setup.directory.file("image")
        try FileManager.default.moveItem(atPath: setup.bundle + "/rootfs", toPath: image)
        let started = try setup.shim("start")
        #expect(started.status == 0, "\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(started.output.dropFirst("unix://".count)))
        let bind = CTDMount.with {
            $0.type = "bind"; $0.source = image; $0.options = ["rbind", "rw"]
        }
        let created: ShimCreateTaskResponse = try await client.call(
            task, "Create",
            ShimCreateTaskRequest.with {
                $0.id = setup.id; $0.bundle = setup.bundle; $0.rootfs = [bind]
            })
        let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Kill",
            ShimKillRequest.with {
                $0.id = setup.id; $0.signal = 9
            })
        let waited: ShimWaitResponse = try await client.call(task, "Wait", ShimWaitRequest.with { $0.id = setup.id })
        #expect(waited.exitStatus == 137)
        let shimPid = try #require(Int32(String(contentsOfFile: setup.bundle + "/shim.pid", encoding: .utf8)))
        let delay = try SyscallDelay(pid: shimPid, syscall: "umount2", delay: .seconds(2))
        return SlowUnmount(
            setup: setup, client: client, initPid: created.pid, shimPid: shimPid, rootfs: setup.bundle + "/rootfs", delay: delay)
    }

    /// After Shutdown: the shim exited, the rootfs is unmounted, and exactly one delete event went out.
    func expectCleanExit(_ slow: SlowUnmount, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<500 where kill(slow.shimPid, 0) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(kill(slow.shimPid, 0) != 0, "the shim exited", sourceLocation: sourceLocation)
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mountinfo.contains(" \(slow.rootfs) "), "the rootfs was unmounted", sourceLocation: sourceLocation)
        let deletes = slow.setup.topics.all.filter { $0 == "/tasks/delete" }
        #expect(deletes.count == 1, "one delete event: \(slow.setup.topics.all)", sourceLocation: sourceLocation)
    }

    /// containerd #7496: Delete outlasts its client's timeout while the
    /// rootfs unmounts slowly. The deletion carries on; containerd's retry
    /// joins it and gets the exit status (not NotFound, not a second
    /// unmount); then Shutdown ends the shim, which is not leaked.
    @Test func slowDeleteOutlivesItsClientAndTheRetryGetsTheResult() async throws {
        let slow = try await slowUnmount()
        let request = ShimDeleteRequest.with { $0.id = slow.setup.id }
        await expectCode(.deadlineExceeded) {
            let _: ShimDeleteResponse = try await slow.client.call(task, "Delete", request, timeout: .milliseconds(300))
        }
        let retried: ShimDeleteResponse = try await slow.client.call(task, "Delete", request, timeout: .seconds(30))
        #expect(retried.exitStatus == 137 && retried.pid == slow.initPid, "the retry has the first deletion's result")
        await expectCode(.notFound) {
            let _: ShimDeleteResponse = try await slow.client.call(task, "Delete", request)
        }
        slow.delay.stop()
        let _: Google_Protobuf_Empty = try await slow.client.call(task, "Shutdown", ShimShutdownRequest.with { $0.id = slow.setup.id })
        try await expectCleanExit(slow)
        slow.client.close()
        await slow.setup.cleanUp()
    }

    /// The same slow Delete, but the client sends Shutdown instead of a
    /// retry: the shim finishes the deletion (unmount, delete event) before
    /// it exits, instead of exiting half way or staying behind.
    @Test func shutdownDuringASlowDeleteWaitsForIt() async throws {
        let slow = try await slowUnmount()
        await expectCode(.deadlineExceeded) {
            let _: ShimDeleteResponse = try await slow.client.call(
                task, "Delete", ShimDeleteRequest.with { $0.id = slow.setup.id }, timeout: .milliseconds(300))
        }
        let _: Google_Protobuf_Empty = try await slow.client.call(
            task, "Shutdown", ShimShutdownRequest.with { $0.id = slow.setup.id }, timeout: .seconds(30))
        try await expectCleanExit(slow)
        slow.delay.stop()
        slow.client.close()
        await slow.setup.cleanUp()
    }

    /// An exec whose main process exited while a background child still
    /// holds its stdout: the exit waits for the output, but the pid is
    /// reaped at once and may go to another process. Kill must then answer
    /// NotFound and signal nobody: here the pid is handed on purpose
    /// (/proc/sys/kernel/ns_last_pid) to a process of this test, which must
    /// survive the SIGKILL.
    @Test func killAfterReapNeverSignalsAReusedPid() async throws {
        let setup = try Setup()
        let (client, _) = try await running(setup)
        // Nobody reads the FIFO: a background writer fills it and the pipe
        // behind it, so the exit waits (up to 5 s) for output to drain.
        let fifo = setup.directory.file("exec-stdout")
        mkfifo(fifo, 0o600)
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Exec",
            ShimExecProcessRequest.with {
                $0.id = setup.id; $0.execID = "bg"; $0.stdout = fifo
                $0.spec = Self.processSpec(["/bin/sh", "-c", "setsid head -c 4000000 /dev/zero & sleep 0.2; exit 0"])
            })
        let started: ShimStartResponse = try await client.call(
            task, "Start",
            ShimStartRequest.with {
                $0.id = setup.id; $0.execID = "bg"
            })
        let pid = Int32(started.pid)
        // Reaped: the pid is free while the exit still waits for the output.
        var reaped = false
        for _ in 0..<500 {
            if kill(pid, 0) != 0 {
                reaped = true
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(reaped, "the exec's main process was reaped")
        let state: ShimStateResponse = try await client.call(
            task, "State",
            ShimStateRequest.with {
                $0.id = setup.id; $0.execID = "bg"
            })
        #expect(state.status == .running, "its exit is not reported yet: the output is still held")
        var victim: BackgroundProcess?
        var seen: [Int32] = []
        for _ in 0..<200 {
            let lastPid = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC)
            let text = Array("\(pid - 1)".utf8)
            _ = text.withUnsafeBytes { write(lastPid, $0.baseAddress, $0.count) }
            close(lastPid)
            let candidate = try BackgroundProcess(["/bin/sleep", "1000"])
            if candidate.processIdentifier == pid {
                victim = candidate
                break
            }
            seen.append(candidate.processIdentifier)
            candidate.stop()
        }
        if victim == nil { Issue.record("target \(pid), got \(seen.prefix(10))") }
        let reused = try #require(victim, "the pid could not be handed to a new process")
        await expectCode(.notFound) {
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Kill",
                ShimKillRequest.with {
                    $0.id = setup.id; $0.execID = "bg"; $0.signal = 9
                })
        }
        #expect(reused.waitForExit(timeout: 0.3) == nil, "the process that got the pid was not signalled")
        reused.stop()
        try await finish(setup, client)
    }

    /// Calls State and Pids of the running init until `pending` ends, and
    /// returns how many answered while it was still under way.
    func answeredMeanwhile(_ setup: Setup, _ client: TTRPCClient, while pending: Task<Void, Never>, done: DoneFlag) async throws -> Int {
        var answered = 0
        for _ in 0..<5 {
            let _: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
            let _: ShimPidsResponse = try await client.call(task, "Pids", ShimPidsRequest.with { $0.id = setup.id })
            if !done.isSet { answered += 1 }
            try await Task.sleep(for: .milliseconds(100))
        }
        await pending.value
        return answered
    }

    /// A `binary://` logger that takes 3 s to say it is ready holds up the
    /// Exec that started it, and nothing else: State and Pids of the same
    /// shim answer while that Exec is still waiting.
    @Test func slowLoggerHoldsUpOnlyItsOwnRequest() async throws {
        let setup = try Setup()
        let (client, _) = try await running(setup)
        let logger = setup.directory.file("slow-logger")
        try TestFile.write("#!/bin/sh\nsleep 3\nexec 5>&-\ncat <&3 >/dev/null\n", to: logger)
        chmod(logger, 0o755)
        let done = DoneFlag()
        let exec = Task {
            do {
                let _: Google_Protobuf_Empty = try await client.call(
                    task, "Exec",
                    ShimExecProcessRequest.with {
                        $0.id = setup.id; $0.execID = "logged"; $0.stdout = "binary://" + logger
                        $0.spec = Self.processSpec(["/bin/echo", "to the logger"])
                    })
            } catch {
                Issue.record("Exec with a slow logger: \(error)")
            }
            done.set()
        }
        let answered = try await answeredMeanwhile(setup, client, while: exec, done: done)
        #expect(answered >= 3, "State and Pids answered while the logger was not ready (\(answered) of 5)")
        let _: ShimStartResponse = try await client.call(
            task, "Start",
            ShimStartRequest.with {
                $0.id = setup.id; $0.execID = "logged"
            })
        let _: ShimWaitResponse = try await client.call(
            task, "Wait",
            ShimWaitRequest.with {
                $0.id = setup.id; $0.execID = "logged"
            })
        let _: ShimDeleteResponse = try await client.call(
            task, "Delete",
            ShimDeleteRequest.with {
                $0.id = setup.id; $0.execID = "logged"
            })
        try await finish(setup, client)
    }

    /// A runtime that leaves the console socket unanswered for 3 s (a
    /// wrapper around runc that sleeps instead of running an exec with a
    /// terminal, then exits 0 without sending a pty master) holds up that
    /// Start only: State and Pids answer meanwhile, and the Start then fails
    /// with a clear error.
    @Test func unansweredConsoleSocketHoldsUpOnlyItsOwnRequest() async throws {
        let setup = try Setup()
        let wrapper = setup.directory.file("silent-console-runc")
        try TestFile.write(
            """
            #!/bin/sh
            case " $* " in
              *" exec "*" --console-socket "*) sleep 3; exit 0 ;;
            esac
            exec runc "$@"

            """, to: wrapper)
        chmod(wrapper, 0o755)
        let options = try Google_Protobuf_Any(message: RuncOptions.with { $0.binaryName = wrapper })
        let (client, _) = try await running(setup, options: options)
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Exec",
            ShimExecProcessRequest.with {
                $0.id = setup.id; $0.execID = "tty"; $0.terminal = true; $0.spec = Self.processSpec(["/bin/true"])
            })
        let done = DoneFlag()
        let start = Task {
            do {
                let _: ShimStartResponse = try await client.call(
                    task, "Start",
                    ShimStartRequest.with {
                        $0.id = setup.id; $0.execID = "tty"
                    })
                Issue.record("a terminal exec without a pty master started")
            } catch {
                #expect((error as? TTRPCError)?.code == .unknown && "\(error)".contains("terminal"), "\(error)")
            }
            done.set()
        }
        let answered = try await answeredMeanwhile(setup, client, while: start, done: done)
        #expect(answered >= 3, "State and Pids answered while the console socket was unanswered (\(answered) of 5)")
        let _: ShimDeleteResponse = try await client.call(
            task, "Delete",
            ShimDeleteRequest.with {
                $0.id = setup.id; $0.execID = "tty"
            })
        try await finish(setup, client)
    }

    @Test func updateStatsPauseAndResume() async throws {
        let setup = try Setup()
        let (client, pid) = try await running(setup)
        var resources = Google_Protobuf_Any()
        resources.typeURL = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"
        resources.value = Data("{\"memory\":{\"limit\":\(48 << 20)},\"cpu\":{\"shares\":256}}".utf8)
        let _: Google_Protobuf_Empty = try await client.call(
            task, "Update",
            ShimUpdateTaskRequest.with {
                $0.id = setup.id; $0.resources = resources
            })
        let membership = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
        let memoryPath = try #require(membership.split(separator: "\n").first { $0.contains(":memory:") }?.split(separator: ":").last)
        let limit = try String(contentsOfFile: "/sys/fs/cgroup/memory\(memoryPath)/memory.limit_in_bytes", encoding: .utf8)
        #expect(limit.trimmingCharacters(in: .whitespacesAndNewlines) == "\(48 << 20)", "the new limit, read from the cgroup")
        await expectCode(.unknown) {
            var bad = Google_Protobuf_Any()
            bad.value = Data("[1,2".utf8)
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Update",
                ShimUpdateTaskRequest.with {
                    $0.id = setup.id; $0.resources = bad
                })
        }

        let stats: ShimStatsResponse = try await client.call(task, "Stats", ShimStatsRequest.with { $0.id = setup.id })
        #expect(stats.stats.typeURL == "io.containerd.cgroups.v1.Metrics")
        let metrics = try CgroupsV1Metrics(serializedBytes: stats.stats.value)
        #expect(metrics.memory.usage.limit == 48 << 20)
        #expect(metrics.memory.usage.usage > 0 && metrics.pids.current >= 1)
        #expect(metrics.cpu.usage.total > 0)

        let _: Google_Protobuf_Empty = try await client.call(task, "Pause", ShimPauseRequest.with { $0.id = setup.id })
        let paused: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
        #expect(paused.status == .paused)
        await expectCode(.unknown) {
            let _: Google_Protobuf_Empty = try await client.call(task, "Pause", ShimPauseRequest.with { $0.id = setup.id })
        }
        let _: Google_Protobuf_Empty = try await client.call(task, "Resume", ShimResumeRequest.with { $0.id = setup.id })
        let resumed: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
        #expect(resumed.status == .running)
        await expectCode(.unknown) {
            let _: Google_Protobuf_Empty = try await client.call(task, "Resume", ShimResumeRequest.with { $0.id = setup.id })
        }
        try await finish(setup, client)
        #expect(setup.topics.all.contains("/tasks/paused") && setup.topics.all.contains("/tasks/resumed"))
    }

    @Test func checkpointRequestsReachRunc() async throws {
        // containerd's options become runc's flags.
        var options = RuncCheckpointOptions()
        options.openTcp = true
        options.externalUnixSockets = true
        options.terminal = true
        options.fileLocks = true
        options.emptyNamespaces = ["network"]
        options.workPath = "/tmp/work"
        var request = ShimCheckpointTaskRequest()
        request.id = "c"
        request.path = "/tmp/images"
        request.options.typeURL = RuncCheckpointOptions.protoMessageName
        request.options.value = try options.serializedBytes()
        let mapped = try TaskService.checkpointOptions(request)
        #expect(mapped.criu.imagePath == "/tmp/images" && mapped.criu.workPath == "/tmp/work")
        #expect(mapped.criu.tcpEstablished && mapped.criu.externalUnixSockets && mapped.criu.shellJob && mapped.criu.fileLocks)
        #expect(mapped.criu.emptyNamespaces == ["network"] && mapped.leaveRunning, "exit=false leaves it running")
        options.exit = true
        request.options.value = try options.serializedBytes()
        #expect(try !TaskService.checkpointOptions(request).leaveRunning)
        request.path = ""
        options.imagePath = ""
        request.options.value = try options.serializedBytes()
        #expect(throws: TTRPCError.self) { try TaskService.checkpointOptions(request) }

        // The real call: runc runs criu, which fails on this kernel; the shim
        // reports runc's failure and the container keeps running.
        let setup = try Setup()
        let (client, _) = try await running(setup)
        let images = setup.directory.file("images")
        do {
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Checkpoint",
                ShimCheckpointTaskRequest.with {
                    $0.id = setup.id; $0.path = images
                })
            Issue.record("a checkpoint succeeded: criu works here now, extend this test")
        } catch {
            #expect(error.code == .unknown && error.message.contains("checkpoint"), "\(error)")
        }
        let state: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
        #expect(state.status == .running)
        try await finish(setup, client)
        #expect(!setup.topics.all.contains("/tasks/checkpointed"))
    }

    /// Create from a checkpoint only records it, as the Go shim does: the
    /// task is created with pid 0 and takes no exec; Start runs `runc
    /// restore`, which with no usable image (and no working criu) fails with
    /// runc's message; Delete then succeeds and the id can be created anew.
    /// The same steps run against Debian's Go shim.
    @Test(arguments: ["ours", "go"]) func createFromCheckpointRestoresAtStart(_ shim: String) async throws {
        let setup = try Setup()
        let binary = shim == "go" ? GoShimParityTests.goShim : ShimHarness.shimBinary
        // containerd gives every shim a `log` FIFO in the bundle; the Go shim needs it.
        mkfifo(setup.bundle + "/log", 0o600)
        let logReader = try BackgroundProcess(["cat", setup.bundle + "/log"])
        defer { logReader.stop() }
        let started = try setup.shim("start", binary: binary)
        #expect(started.status == 0, "\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(started.output.dropFirst("unix://".count)))
        let images = setup.directory.file("checkpoint")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let created: ShimCreateTaskResponse = try await client.call(
            task, "Create",
            ShimCreateTaskRequest.with {
                $0.id = setup.id; $0.bundle = setup.bundle; $0.checkpoint = images
            }, metadata: ["containerd-namespace-ttrpc": setup.namespace])
        #expect(created.pid == 0, "nothing runs before Start")
        let state: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
        #expect(state.status == .created && state.pid == 0)
        await expectCode(.unknown) {
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Exec",
                ShimExecProcessRequest.with {
                    $0.id = setup.id; $0.execID = "e"; $0.spec = Self.processSpec(["/bin/true"])
                })
        }
        do {
            let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
            Issue.record("a restore from an empty image succeeded")
        } catch {
            #expect(error.code == .unknown && "\(error)".contains("restore"), "\(error)")
        }
        let afterStart: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
        #expect(afterStart.status == .created)
        let deleted: ShimDeleteResponse = try await client.call(task, "Delete", ShimDeleteRequest.with { $0.id = setup.id })
        #expect(deleted.pid == 0)
        if shim == "ours" {
            // One shim per container for Go's v1: only ours takes a second Create.
            let again: ShimCreateTaskResponse = try await client.call(
                task, "Create",
                ShimCreateTaskRequest.with {
                    $0.id = setup.id; $0.bundle = setup.bundle
                })
            #expect(again.pid > 0, "the id can be created normally after the failed restore")
            let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
            try await finish(setup, client)
        } else {
            // The Go shim may exit before its reply is sent; containerd ignores that too.
            let _: Google_Protobuf_Empty? = try? await client.call(task, "Shutdown", ShimShutdownRequest.with { $0.id = setup.id })
            client.close()
            await setup.cleanUp()
        }
    }
}

/// Set once a request under way has returned.
final class DoneFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
