import Foundation
import LinuxSupport
import OCISpec
import SwiftProtobuf
import TTRPC
import TestSupport
import Testing

@testable import RuncShim

/// The runc.v2 binary's own contract, with this test as containerd: the
/// socket named by the group annotation, a second container of the group
/// joining the running shim, task API v2 and v3 on one socket, and
/// Shutdown ending a shim that holds no container.
@Suite(.serialized) struct ShimV2ProtocolTests {
    typealias Setup = ShimProtocolTests.Setup

    /// Runs `body` with a fresh setup and cleans up after it, failed or not.
    private func withSetup(_ body: (Setup) async throws -> Void) async throws {
        let setup = try Setup()
        do {
            try await body(setup)
        } catch {
            await setup.cleanUp()
            throw error
        }
        await setup.cleanUp()
    }

    @Test func groupSocketTaskAPIv3AndShutdown() async throws {
        try await withSetup { setup in try await groupSocketTaskAPIv3AndShutdown(setup) }
    }

    private func groupSocketTaskAPIv3AndShutdown(_ setup: Setup) async throws {
        let group = "group-\(setup.serial)"
        var config = try String(contentsOfFile: setup.bundle + "/config.json", encoding: .utf8)
        config = config.replacingOccurrences(
            of: "\"ociVersion\"", with: "\"annotations\": {\"io.containerd.runc.v2.group\": \"\(group)\"},\n\t\"ociVersion\"")
        try TestFile.write(config, to: setup.bundle + "/config.json")

        let v2 = ShimHarness.shimV2Binary
        let started = try setup.shim("start", binary: v2)
        #expect(started.status == 0 && started.errors.isEmpty, "\(started.output)\(started.errors)")
        let expected = "unix://" + StartAction.socketPath(address: setup.address, namespace: setup.namespace, id: group)
        #expect(started.output == expected, "the socket is named by the group, not the id")

        // Another container of the group: the same address, no second shim.
        let joined = try setup.shim("start", binary: v2, id: setup.id + "-b")
        #expect(joined.status == 0 && joined.output == expected, "\(joined.output)\(joined.errors)")
        let shimPid = try #require(Int32(String(contentsOfFile: setup.bundle + "/shim.pid", encoding: .utf8)))

        let client = try TTRPCClient(connectingTo: String(expected.dropFirst("unix://".count)))
        let viaV2 = try await client.call(ShimTaskMethods.connect, .with { $0.id = setup.id })
        let viaV3 = try await client.call(ShimTaskMethods.connect.inService("containerd.task.v3.Task"), .with { $0.id = setup.id })
        #expect(viaV2.shimPid == UInt32(shimPid) && viaV3.shimPid == UInt32(shimPid))
        #expect(viaV2.version.contains("containerd-shim-runc-v2"), "\(viaV2.version)")

        // No container is left (none was created): Shutdown ends the shim.
        _ = try await client.call(ShimTaskMethods.shutdown, .with { $0.id = setup.id })
        for _ in 0..<200 where processIsLive(shimPid) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!processIsLive(shimPid), "the shim exited on Shutdown")
        client.close()
    }

    @Test func theV1BinaryServesOnlyTaskAPIv2AndIgnoresGroups() async throws {
        try await withSetup { setup in try await v1ServesOnlyTaskAPIv2(setup) }
    }

    private func v1ServesOnlyTaskAPIv2(_ setup: Setup) async throws {
        var config = try String(contentsOfFile: setup.bundle + "/config.json", encoding: .utf8)
        config = config.replacingOccurrences(
            of: "\"ociVersion\"", with: "\"annotations\": {\"io.containerd.runc.v2.group\": \"ignored\"},\n\t\"ociVersion\"")
        try TestFile.write(config, to: setup.bundle + "/config.json")
        let started = try setup.shim("start")
        let expected = "unix://" + StartAction.socketPath(address: setup.address, namespace: setup.namespace, id: setup.id)
        #expect(started.status == 0 && started.output == expected, "\(started.output)\(started.errors)")
        let client = try TTRPCClient(connectingTo: String(expected.dropFirst("unix://".count)))
        _ = try await client.call(ShimTaskMethods.connect, .with { $0.id = setup.id })
        await #expect {
            _ = try await client.call(ShimTaskMethods.connect.inService("containerd.task.v3.Task"), .with { $0.id = setup.id })
        } throws: { error in
            (error as? TTRPCError)?.code == .unimplemented
        }
        _ = try await client.call(ShimTaskMethods.shutdown, .with { $0.id = setup.id })
        client.close()
    }

    @Test func aV2StartWithoutConfigJSONFailsAsGosDoes() async throws {
        try await withSetup { setup in try startWithoutConfigJSON(setup) }
    }

    private func startWithoutConfigJSON(_ setup: Setup) throws {
        try FileManager.default.removeItem(atPath: setup.bundle + "/config.json")
        let ours = try setup.shim("start", binary: ShimHarness.shimV2Binary)
        #expect(ours.status != 0 && ours.output.contains("config.json"), "\(ours.output)\(ours.errors)")
        let go = try setup.shim("start", binary: ShimV2GroupTests.goShim)
        #expect(go.status != 0, "Go's v2 shim refuses too: \(go.output)\(go.errors)")
    }
}

/// `-info`, which containerd 2.x runs at startup: the RuntimeInfo protobuf
/// on stdout, with the options from stdin and runc's features report.
@Suite struct ShimInfoTests {
    @Test func infoReportsNameOptionsAndRuncFeatures() throws {
        var options = RuncOptions()
        options.binaryName = "runc"
        options.root = "/run/somewhere"
        var any = Google_Protobuf_Any()
        any.typeURL = "containerd.runc.v1.Options"
        any.value = try options.serializedBytes()
        let input: [UInt8] = try any.serializedBytes()
        let result = try Command.run([ShimHarness.shimV2Binary, "-info"], input: input)
        #expect(result.status == 0, "\(result.errors)")
        let info = try CTDRuntimeInfo(serializedBytes: result.stdout)
        #expect(info.name == "io.containerd.runc.v2")
        #expect(!info.version.version.isEmpty)
        #expect(info.options.typeURL == "containerd.runc.v1.Options")
        #expect(try RuncOptions(serializedBytes: info.options.value) == options, "the options come back as given")
        #expect(info.features.typeURL == "types.containerd.io/opencontainers/runtime-spec/1/features/Features")
        let features = try OCIJSON.decode(Features.self, from: Array(info.features.value))
        let runcFeatures = try OCIJSON.decode(Features.self, from: Command.check(["runc", "features"]).stdout)
        #expect(features == runcFeatures, "runc's own report, unchanged")
    }

    @Test func infoWithoutOptionsStillAnswersAndBadOptionsFail() throws {
        let plain = try Command.run([ShimHarness.shimV2Binary, "-info"])
        #expect(plain.status == 0)
        #expect(try CTDRuntimeInfo(serializedBytes: plain.stdout).hasOptions == false)
        let bad = try Command.run([ShimHarness.shimV2Binary, "-info"], input: [0xFF, 0xFF, 0xFF])
        #expect(bad.status != 0 && bad.stdout.isEmpty, "\(bad.errors)")
    }
}

/// One binary serves both contracts: the name it runs as decides.
@Suite struct ShimFlavorTests {
    @Test func theProgramNameChoosesTheContract() {
        #expect(ShimFlavor(programName: "/usr/local/bin/containerd-shim-runc-v2") == .v2)
        #expect(ShimFlavor(programName: "containerd-shim-runc-v1") == .v1)
        #expect(ShimFlavor(programName: "/opt/shims/my-shim") == nil)
    }

    @Test func aV2BinaryRunAsV1ServesV1() throws {
        let directory = try TemporaryDirectory(prefix: "shim-names")
        defer { directory.remove() }
        let linked = directory.file("containerd-shim-runc-v1")
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: ShimHarness.shimV2Binary)
        let version = try Command.run([linked, "-v"])
        #expect(version.output.hasPrefix("containerd-shim-runc-v1 "), "\(version.output)")
        let asV2 = try Command.run([ShimHarness.shimV2Binary, "-v"])
        #expect(asV2.output.hasPrefix("containerd-shim-runc-v2 "), "\(asV2.output)")
    }
}

extension ShimV2ProtocolTests {
    /// SCHED_CORE set: the shim asks for a core-scheduling cookie before it
    /// starts the server. This kernel refuses PR_SCHED_CORE (EINVAL here):
    /// then `start` fails, for Go's shim and ours alike, and leaves no socket.
    @Test func schedCoreIsRequestedAtStartAsGosShimDoes() async throws {
        try await withSetup { setup in
            let supported = (try? CoreScheduling.cookie(of: getpid())) != nil
            for (name, binary) in [("ours", ShimHarness.shimV2Binary), ("go", ShimV2GroupTests.goShim)] {
                let socket = StartAction.socketPath(address: setup.address, namespace: setup.namespace, id: setup.id)
                var environment = ProcessInfo.processInfo.environment
                environment["SCHED_CORE"] = "1"
                environment["TTRPC_ADDRESS"] = setup.eventsSocket
                let started = try Command.run(
                    [binary, "-namespace", setup.namespace, "-id", setup.id, "-address", setup.address, "start"], directory: setup.bundle,
                    environment: environment)
                if supported {
                    #expect(started.status == 0, "\(name): \(started.output)\(started.errors)")
                    let pid = try #require(Int32(try String(contentsOfFile: setup.bundle + "/shim.pid", encoding: .utf8)))
                    #expect(try CoreScheduling.cookie(of: pid) != 0, "\(name): the serving shim has a cookie")
                    let client = try TTRPCClient(connectingTo: socket)
                    _ = try await client.call(ShimTaskMethods.shutdown, .with { $0.id = setup.id })
                    client.close()
                } else {
                    #expect(started.status != 0, "\(name): PR_SCHED_CORE is refused here, so start fails")
                    #expect((started.output + started.errors).contains("sched core"), "\(name): \(started.output)\(started.errors)")
                    #expect(!FileManager.default.fileExists(atPath: socket), "\(name): no socket left")
                }
            }
        }
    }
}
