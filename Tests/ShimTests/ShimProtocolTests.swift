import Foundation
import SwiftProtobuf
import Synchronization
import TTRPC
import TestSupport
import Testing

@testable import RuncShim

/// The shim's own protocol, with this test acting as containerd: the
/// `start` action's contract, the task service's error codes, the events it
/// publishes (to a fake events service), Shutdown, and the `delete` action.
/// Topics a fake events service received, in order.
final class TopicRecorder: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ topic: String) { list.withLock { $0.append(topic) } }
    var all: [String] { list.withLock { $0 } }
}

@Suite(.serialized) struct ShimProtocolTests {
    /// A bundle (busybox rootfs, config from `runc spec`) and a fake
    /// containerd events service recording topics.
    final class Setup: @unchecked Sendable {
        let directory: TemporaryDirectory
        /// Its own namespace, id and cgroup per setup: the protocol suites run side by side.
        let serial = ShimHarness.next()
        var namespace: String { "swift-shim-protocol-\(getpid())-\(serial)" }
        var id: String { "proto-\(serial)" }
        let topics = TopicRecorder()
        let events: TTRPCServer
        var bundle: String { directory.file("bundle") }
        var eventsSocket: String { directory.file("events.sock") }
        var address: String { directory.file("containerd.sock") }

        init() throws {
            directory = try TemporaryDirectory(prefix: "shim-protocol")
            try FileManager.default.createDirectory(atPath: directory.file("bundle"), withIntermediateDirectories: true)
            try BusyboxRootfs.create(at: directory.file("bundle/rootfs"))
            try Command.check(["runc", "spec"], directory: directory.file("bundle"))
            var config = try String(contentsOfFile: directory.file("bundle/config.json"), encoding: .utf8)
            config = config.replacingOccurrences(of: "\"terminal\": true", with: "\"terminal\": false")
            config = config.replacingOccurrences(of: "\"sh\"", with: "\"sleep\", \"1000\"")
            config = config.replacingOccurrences(of: "\"readonly\": true", with: "\"readonly\": false")
            try TestFile.write(config, to: directory.file("bundle/config.json"))
            var service = TTRPCService(name: "containerd.services.events.ttrpc.v1.Events")
            let topics = self.topics
            service.unary("Forward") { (request: PublishForwardRequest, context) -> Google_Protobuf_Empty in
                if context.metadata["containerd-namespace-ttrpc"] != nil { topics.add(request.envelope.topic) }
                return Google_Protobuf_Empty()
            }
            events = TTRPCServer(services: [service])
            try events.listen(path: directory.file("events.sock"))
        }

        /// Runs the shim (ours, or `binary`: Debian's Go shim for comparisons) with `action`.
        func shim(_ action: String?, extra: [String] = [], binary: String = ShimHarness.shimBinary, id: String? = nil) throws
            -> CommandResult
        {
            var arguments = [
                binary, "-namespace", namespace, "-id", id ?? self.id, "-address", address, "-publish-binary", "/bin/true",
            ]
            arguments += extra
            if let action { arguments.append(action) }
            var environment = ProcessInfo.processInfo.environment
            environment["TTRPC_ADDRESS"] = eventsSocket
            return try Command.run(arguments, directory: bundle, environment: environment)
        }

        func cleanUp() async {
            await events.close()
            // A test that failed before Shutdown leaves its shim: stop it by the pid it wrote.
            if let pid = (try? String(contentsOfFile: bundle + "/shim.pid", encoding: .utf8)).flatMap({ Int32($0) }) {
                // A shim told to shut down is still on its way out: give it time to remove its socket.
                for _ in 0..<200 where kill(pid, 0) == 0 { try? await Task.sleep(for: .milliseconds(10)) }
                StaleProcess.kill(pid, ifCommandLineContains: ["containerd-shim-runc-v", namespace])
            }
            unlink(StartAction.socketPath(address: address, namespace: namespace, id: id))
            _ = try? Command.run(["runc", "--root", "/run/containerd/runc/\(namespace)", "delete", "--force", id])
            // A test that failed before Delete leaves its rootfs mounted.
            _ = try? Command.run(["umount", "-R", bundle + "/rootfs"])
            try? FileManager.default.removeItem(atPath: "/run/containerd/runc/\(namespace)")
            directory.remove()
        }
    }

    private func expectCode(_ code: TTRPCCode, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
        } catch let error as TTRPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func startContractTaskErrorsEventsAndShutdown() async throws {
        let setup = try Setup()
        // start: only the address on stdout and nothing on stderr; files first.
        let started = try setup.shim("start")
        #expect(started.status == 0, "\(started.output)\(started.errors)")
        #expect(started.errors.isEmpty, "stderr must stay empty: \(started.errors)")
        let address = started.output
        let expected = "unix://" + StartAction.socketPath(address: setup.address, namespace: setup.namespace, id: setup.id)
        #expect(address == expected)
        #expect(try String(contentsOfFile: setup.bundle + "/address", encoding: .utf8) == address)
        let shimPid = try #require(Int32(String(contentsOfFile: setup.bundle + "/shim.pid", encoding: .utf8)))
        let socket = String(address.dropFirst("unix://".count))
        var info = stat()
        #expect(stat(socket, &info) == 0 && info.st_mode & 0o777 == 0o600)

        let client = try TTRPCClient(connectingTo: socket)
        let task = "containerd.task.v2.Task"
        await expectCode(.notFound) {
            let _: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = "nope" })
        }
        let created: ShimCreateTaskResponse = try await client.call(
            task, "Create",
            ShimCreateTaskRequest.with {
                $0.id = setup.id; $0.bundle = setup.bundle
            })
        #expect(created.pid > 0)
        await expectCode(.alreadyExists) {
            let _: ShimCreateTaskResponse = try await client.call(
                task, "Create",
                ShimCreateTaskRequest.with {
                    $0.id = setup.id; $0.bundle = setup.bundle
                })
        }
        await expectCode(.notFound) {
            let _: ShimStateResponse = try await client.call(
                task, "State",
                ShimStateRequest.with {
                    $0.id = setup.id; $0.execID = "nope"
                })
        }
        let state: ShimStateResponse = try await client.call(task, "State", ShimStateRequest.with { $0.id = setup.id })
        #expect(state.status == .created && state.pid == created.pid)

        let start: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
        #expect(start.pid == created.pid)
        await expectCode(.unknown) {
            let _: ShimStartResponse = try await client.call(task, "Start", ShimStartRequest.with { $0.id = setup.id })
        }
        await expectCode(.unknown) {
            let _: ShimDeleteResponse = try await client.call(task, "Delete", ShimDeleteRequest.with { $0.id = setup.id })
        }
        let connect: ShimConnectResponse = try await client.call(task, "Connect", ShimConnectRequest.with { $0.id = setup.id })
        #expect(connect.shimPid == UInt32(shimPid) && connect.taskPid == created.pid)

        let _: Google_Protobuf_Empty = try await client.call(
            task, "Kill",
            ShimKillRequest.with {
                $0.id = setup.id; $0.signal = 9
            })
        let waited: ShimWaitResponse = try await client.call(task, "Wait", ShimWaitRequest.with { $0.id = setup.id })
        #expect(waited.exitStatus == 137)
        let deleted: ShimDeleteResponse = try await client.call(task, "Delete", ShimDeleteRequest.with { $0.id = setup.id })
        #expect(deleted.exitStatus == 137 && deleted.pid == created.pid)
        await expectCode(.notFound) {
            let _: Google_Protobuf_Empty = try await client.call(
                task, "Kill",
                ShimKillRequest.with {
                    $0.id = setup.id; $0.signal = 9
                })
        }

        let _: Google_Protobuf_Empty = try await client.call(task, "Shutdown", ShimShutdownRequest.with { $0.id = setup.id })
        var exited = false
        for _ in 0..<200 where !exited {
            exited = kill(shimPid, 0) != 0
            if !exited { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(exited, "the shim exits after Shutdown")
        #expect(!FileManager.default.fileExists(atPath: socket), "and removes its socket")
        #expect(setup.topics.all == ["/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"])
        client.close()
        await setup.cleanUp()
    }

    @Test func deleteActionReportsInitAndCleansUp() async throws {
        let setup = try Setup()
        try TestFile.write("4242", to: setup.bundle + "/init.pid")
        let result = try setup.shim("delete", extra: ["-bundle", setup.bundle])
        #expect(result.status == 0, "\(result.errors)")
        let response = try ShimDeleteResponse(serializedBytes: result.stdout)
        #expect(response.pid == 4242 && response.exitStatus == 137 && response.exitedAt.seconds > 0)
        await setup.cleanUp()
    }

    /// containerd 1.6 runs `delete` after every task delete. With nothing
    /// left (no runc state, rootfs not mounted) it answers without runc; with
    /// runc state left, or the rootfs still mounted (a SIGKILLed shim), it
    /// runs `runc delete --force` and unmounts. A runc wrapper records calls.
    @Test func deleteActionRunsRuncOnlyWhenSomethingIsLeft() async throws {
        let setup = try Setup()
        let calls = setup.directory.file("runc-calls")
        let wrapper = setup.directory.file("recording-runc")
        try TestFile.write("#!/bin/sh\necho \"$@\" >> \(calls)\nexec runc \"$@\"\n", to: wrapper)
        chmod(wrapper, 0o755)
        let root = setup.directory.file("runc-root")
        try TestFile.write("{\"root\":\"\(root)\",\"binary_name\":\"\(wrapper)\"}", to: setup.bundle + "/options.json")
        try TestFile.write("4242", to: setup.bundle + "/init.pid")
        func delete() throws -> ShimDeleteResponse {
            let result = try setup.shim("delete", extra: ["-bundle", setup.bundle])
            #expect(result.status == 0, "\(result.errors)")
            return try ShimDeleteResponse(serializedBytes: result.stdout)
        }
        func recorded() -> String { (try? String(contentsOfFile: calls, encoding: .utf8)) ?? "" }

        var response = try delete()
        #expect(response.pid == 4242 && response.exitStatus == 137 && response.exitedAt.seconds > 0)
        #expect(recorded().isEmpty, "nothing left: runc is not run")

        try FileManager.default.createDirectory(atPath: "\(root)/\(setup.namespace)/\(setup.id)", withIntermediateDirectories: true)
        response = try delete()
        #expect(response.pid == 4242 && response.exitStatus == 137)
        #expect(recorded().contains("delete --force \(setup.id)"), "runc state left: \(recorded())")
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.removeItem(atPath: calls)

        try Command.check(["mount", "-t", "tmpfs", "shim-delete-test", setup.bundle + "/rootfs"])
        response = try delete()
        #expect(response.pid == 4242 && response.exitStatus == 137)
        #expect(recorded().contains("delete --force \(setup.id)"), "rootfs mounted: \(recorded())")
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mountinfo.contains(setup.bundle + "/rootfs"), "the rootfs was unmounted")
        await setup.cleanUp()
    }

    @Test func flagsParseLikeGo() throws {
        let flags = try ShimFlags.parse(["-namespace", "ns", "-id=x", "--address", "/a", "-debug", "-publish-binary", "/b", "start"])
        #expect(flags.namespace == "ns" && flags.id == "x" && flags.address == "/a" && flags.debug && flags.publishBinary == "/b")
        #expect(flags.action == "start")
        #expect(throws: ShimFlags.UsageError.self) { try ShimFlags.parse(["-nonsense"]) }
        #expect(throws: ShimFlags.UsageError.self) { try ShimFlags.parse(["-id"]) }
    }

    @Test func socketNameIsSHA256OfAddressNamespaceAndID() {
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            StartAction.socketPath(address: "/run/containerd/containerd.sock", namespace: "default", id: "c1")
                == "/run/containerd/s/" + SHA256.hex("/run/containerd/containerd.sock/default/c1"))
    }
}
