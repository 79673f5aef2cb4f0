import Foundation
import TestSupport
import Testing

/// runc.v2 under every containerd in use (1.6, 1.7, 2.x): containers that
/// share a group annotation share one shim, which outlives the deletion of
/// all but the last of them; a container without one gets a shim of its
/// own. Run against our v2 binary and against the Go runc.v2 shim of the
/// same containerd release, with the same expectations.
@Suite(.serialized) struct ShimV2GroupTests {
    static let goShim = ContainerdRelease.bookworm.goShimV2

    @Test(arguments: ContainerdRelease.allCases, ["ours", "go"])
    func aGroupSharesOneShimUntilItsLastContainerIsDeleted(_ release: ContainerdRelease, _ shimName: String) async throws {
        try #require(release.isAvailable, "\(release) is missing: run scripts/install-deps")
        let harness = try ShimHarness(shim: shimName == "go" ? release.goShimV2 : ShimHarness.shimV2Binary, release: release)
        defer { harness.stop() }
        let shim = "\(shimName) on \(release)"
        let group = "io.containerd.runc.v2.group=pod-\(getpid())"
        for (id, annotations) in [("first", [group]), ("second", [group]), ("alone", [])] {
            var arguments = ["run", "-d", "--runtime", harness.shim]
            for annotation in annotations { arguments += ["--annotation", annotation] }
            arguments += ["--rootfs", harness.rootfs.path, id, "/bin/sleep", "1000"]
            let started = try await Command.runOffPool(harness.containerd.ctrArguments(arguments))
            #expect(started.status == 0, "\(shim) \(id): \(started.errors)")
        }
        let addresses = try ["first", "second", "alone"].map { id in try harness.shimAddress(id) }
        #expect(addresses[0] == addresses[1], "\(shim): one socket for the group")
        #expect(addresses[0] != addresses[2], "\(shim): a shim of its own without the annotation")
        #expect(harness.shimProcesses().count == 2, "\(shim): \(harness.shimProcesses())")

        // Both members work through the shared shim.
        let exec = try await harness.ctr("task", "exec", "--exec-id", "hello", "second", "/bin/echo", "hello from second")
        #expect(exec.status == 0 && exec.output == "hello from second\n", "\(shim): \(exec.errors)")
        let ps = try await harness.ctr("task", "ps", "first")
        #expect(ps.status == 0 && ps.output.split(separator: "\n").count >= 2, "\(shim): \(ps.output) \(ps.errors)")

        // Deleting one member leaves the shim serving the other.
        try await harness.killAndDelete("first")
        let tasks = try await harness.ctr("task", "ls")
        #expect(tasks.output.contains("second") && !tasks.output.contains("first"), "\(shim): \(tasks.output)")
        let stillServed = try await harness.ctr("task", "exec", "--exec-id", "again", "second", "/bin/true")
        #expect(stillServed.status == 0, "\(shim): the group's shim still serves second: \(stillServed.errors)")
        #expect(harness.shimProcesses().count == 2, "\(shim): \(harness.shimProcesses())")

        // The last member's deletion ends the group's shim.
        try await harness.killAndDelete("second")
        #expect(await harness.waitForShimCount(1), "\(shim): the group's shim exited: \(harness.shimProcesses())")
        try await harness.killAndDelete("alone")
        #expect(await harness.waitForShimCount(0), "\(shim): \(harness.shimProcesses())")
        for address in Set(addresses) {
            let socket = String(address.dropFirst("unix://".count))
            var gone = false
            for _ in 0..<100 {
                gone = !FileManager.default.fileExists(atPath: socket)
                if gone { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            if shimName == "go" {
                // Go 2.1's shim leaves a group's socket behind under containerd
                // 2.x (seen here; the field's shim leaks of #11871 and #12344):
                // not a check of ours, but removed so the test leaves nothing.
                if !gone { unlink(socket) }
            } else {
                #expect(gone, "\(shim): no socket left: \(socket)")
            }
        }
    }
}

extension ShimHarness {
    /// The bundle directory containerd made for task `id`.
    func bundle(_ id: String) -> String {
        "\(containerd.state)/io.containerd.runtime.v2.task/\(containerd.namespace)/\(id)"
    }

    /// The socket address of task `id`'s shim, as containerd keeps it: the
    /// bundle's `address` file, or (containerd 2.x with a shim that answered
    /// `start` with bootstrap JSON) the address in `bootstrap.json`.
    func shimAddress(_ id: String) throws -> String {
        let directory = bundle(id)
        if let address = try? String(contentsOfFile: directory + "/address", encoding: .utf8) { return address }
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/bootstrap.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (object?["address"] as? String) ?? ""
    }

    /// Serving shims of this harness (this binary, this namespace): their pids.
    func shimProcesses() -> [Int32] {
        let name = URL(fileURLWithPath: shim).lastPathComponent
        return liveProcesses { arguments in
            guard let program = arguments.first, program.hasSuffix(name), arguments.contains(containerd.namespace) else { return false }
            // Not a `start` or `delete` run.
            return !arguments.contains("start") && !arguments.contains("delete")
        }
    }

    /// Waits up to 10 s for `count` serving shims.
    func waitForShimCount(_ count: Int) async -> Bool {
        for _ in 0..<200 {
            if shimProcesses().count == count { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return shimProcesses().count == count
    }

    /// SIGKILLs task `id`, waits for it to stop, deletes the task and the container.
    func killAndDelete(_ id: String) async throws {
        _ = try await ctr("task", "kill", "-s", "SIGKILL", id)
        for _ in 0..<100 {
            let deleted = try await ctr("task", "delete", id)
            if deleted.status == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try await ctr("container", "delete", id)
    }
}

extension ShimV2GroupTests {
    /// Ten containers of one group in one shim, a hundred concurrent execs
    /// spread over them, then each container stopped with its own exit
    /// code: nothing is lost or misattributed, and the shim leaves nothing
    /// behind once the last container is deleted.
    @Test func tenContainersOneShimAHundredConcurrentExecs() async throws {
        let harness = try ShimHarness(shim: ShimHarness.shimV2Binary, release: ShimHarness.defaultRelease)
        defer { harness.stop() }
        let ids = (0..<10).map { "member\($0)" }
        for (index, id) in ids.enumerated() {
            // SIGTERM ends each with its own code (10 + index).
            let script = "trap 'exit \(10 + index)' TERM; while :; do sleep 0.1; done"
            let started = try await Command.runOffPool(
                harness.containerd.ctrArguments([
                    "run", "-d", "--runtime", harness.shim, "--annotation", "io.containerd.runc.v2.group=ten-\(getpid())",
                    "--rootfs", harness.rootfs.path, id, "/bin/sh", "-c", script,
                ]))
            #expect(started.status == 0, "\(id): \(started.errors)")
        }
        let addresses = Set(try ids.map { try harness.shimAddress($0) })
        #expect(addresses.count == 1, "one socket: \(addresses)")
        #expect(harness.shimProcesses().count == 1, "one shim: \(harness.shimProcesses())")

        let results = try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
            for exec in 0..<100 {
                group.addTask {
                    let result = try await harness.ctr(
                        "task", "exec", "--exec-id", "storm\(exec)", ids[exec % 10], "/bin/sh", "-c", "exit \(exec)")
                    return (exec, result)
                }
            }
            var collected: [Int: CommandResult] = [:]
            for try await (exec, result) in group { collected[exec] = result }
            return collected
        }
        let wrong = results.filter { $0.value.status != Int32($0.key) }.map { "\($0.key): \($0.value.status) \($0.value.errors)" }
        #expect(results.count == 100 && wrong.isEmpty, "every exec's own exit code: \(wrong.sorted())")

        let socket = String(try #require(addresses.first).dropFirst("unix://".count))
        for (index, id) in ids.enumerated() {
            _ = try await harness.ctr("task", "kill", id)
            var status = ""
            for _ in 0..<100 {
                let wait = try await harness.ctr("task", "ls")
                status = wait.output.split(separator: "\n").first { $0.hasPrefix(id + " ") }.map(String.init) ?? ""
                if status.contains("STOPPED") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let deleted = try await harness.ctr("task", "delete", id)
            #expect(deleted.status == 0 && deleted.errors.contains("exit code \(10 + index)"), "\(id): \(deleted.errors)")
            _ = try await harness.ctr("container", "delete", id)
            if index < ids.count - 1 {
                #expect(harness.shimProcesses().count == 1, "the shim stays while \(ids.count - 1 - index) remain")
            }
        }
        #expect(await harness.waitForShimCount(0), "the shim exited after the last deletion")
        #expect(!FileManager.default.fileExists(atPath: socket), "its socket is gone")
        let runcState = (try? FileManager.default.contentsOfDirectory(atPath: "/run/containerd/runc/\(harness.containerd.namespace)")) ?? []
        #expect(runcState.isEmpty, "no runc state left: \(runcState)")
        let cgroups = ids.filter { FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/\(harness.containerd.namespace)/\($0)") }
        #expect(cgroups.isEmpty, "no cgroup left: \(cgroups)")
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let mounted = ids.filter { mountinfo.contains(harness.bundle($0)) }
        #expect(mounted.isEmpty, "no rootfs left mounted: \(mounted)")
        let processes = harness.shimProcesses()
        #expect(processes.isEmpty, "no shim process left: \(processes)")
    }
}
