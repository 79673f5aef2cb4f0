import Foundation
import TestSupport
import Testing

/// Checkpoint and restore through containerd and the shims, where CRIU works
/// (the test guest, `make test-vm`). The container's process keeps a token
/// it drew at start in memory and writes "token count" to /count every
/// 100 ms: a restored process writes the same token and counts on, a
/// restarted one would draw a new token and count from 1.
@Suite(.serialized, .enabled(if: GuestHost.criuWorks, "needs a working CRIU: make test-vm"))
struct ShimCheckpointTests {
    static let counter = "t=$(cat /proc/sys/kernel/random/uuid); i=0; while true; do i=$((i+1)); echo \"$t $i\" > /count; sleep 0.1; done"
    static let goShim = "/usr/bin/containerd-shim-runc-v2"

    static func binary(_ shim: String) -> String { shim == "go" ? goShim : ShimHarness.shimV2Binary }

    /// "token count" from a file, or nil.
    static func reading(_ text: String) -> (token: String, count: Int)? {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2, let count = Int(parts[1]) else { return nil }
        return (String(parts[0]), count)
    }

    /// The error lines of the CRIU log a failed checkpoint names ("CRIU log: PATH").
    static func criuErrors(_ message: String) -> String {
        guard let range = message.range(of: "CRIU log: ") else { return "" }
        let path = String(message[range.upperBound...].prefix { $0 != ")" })
        let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "unreadable \(path)"
        return log.split(separator: "\n").filter { $0.contains("Error") || $0.contains("Warn") }.suffix(15).joined(separator: "\n")
    }

    func goClient(_ harness: ShimHarness, _ scenario: String, id: String, runtime: String, terminal: Bool = false) async throws
        -> [String: Any]
    {
        let client = try await GoBuild.binaryOffPool(for: GoShimParityTests.clientSource, name: "go-task-client")
        let result = try await Command.runOffPool([
            client, "-address", harness.containerd.address, "-namespace", harness.containerd.namespace, "-runtime", runtime,
            "-rootfs", harness.rootfs.path, "-checkpoint", "checkpoint/counter:1", "-command", Self.counter,
            "-terminal=\(terminal)", scenario, id,
        ])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any] else {
            throw CommandError(command: [client, scenario, id], result: result)
        }
        return object
    }

    /// A checkpoint taken through one shim (a checkpoint image in containerd's
    /// content store, the task stopped) restores through the other, or the
    /// same one. The task's stdio is /dev/null (containerd's NullIO).
    @Test(arguments: [("ours", "ours"), ("go", "ours"), ("ours", "go")])
    func aCheckpointRestoresThroughEitherShim(from: String, to: String) async throws {
        try await checkpointAndRestore(from: from, to: to, terminal: false)
    }

    /// The same with a terminal (runc's --shell-job; the restored process
    /// gets a new pty through the console socket), each shim on its own.
    @Test(arguments: ["ours", "go"]) func aCheckpointWithATerminalRestores(shim: String) async throws {
        try await checkpointAndRestore(from: shim, to: shim, terminal: true)
    }

    private func checkpointAndRestore(from: String, to: String, terminal: Bool) async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let count = harness.rootfs.file("count")

        let taken = try await goClient(harness, "checkpoint-to-image", id: "taken", runtime: Self.binary(from), terminal: terminal)
        #expect(taken["checkpoint"] as? String == "ok", "\(from): \(taken)")
        #expect(taken["exitCode"] as? Int == 137, "\(from): the checkpointed task ends as killed: \(taken)")
        let atCheckpoint = try #require(Self.reading((try? String(contentsOfFile: count, encoding: .utf8)) ?? ""), "a count was written")

        let events = try ShimTaskServiceTests.EventLog(harness)
        try await Task.sleep(for: .milliseconds(300))
        let restored = try await goClient(harness, "restore-from-image", id: "restored", runtime: Self.binary(to), terminal: terminal)
        #expect(restored["restore"] as? String == "ok" && restored["start"] as? String == "ok", "\(from) -> \(to): \(restored)")
        var seen: [(token: String, count: Int)] = []
        for _ in 0..<30 {
            if let value = Self.reading((try? String(contentsOfFile: count, encoding: .utf8)) ?? "") { seen.append(value) }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen.allSatisfy { $0.token == atCheckpoint.token && $0.count >= atCheckpoint.count }, "\(atCheckpoint) then \(seen)")
        #expect(
            (seen.last?.count ?? 0) > atCheckpoint.count, "it counts on: \(atCheckpoint) then \(seen.last.map { "\($0)" } ?? "nothing")")

        // The restored task ends as any task does.
        #expect(try await harness.ctr("task", "kill", "-s", "SIGKILL", "restored").status == 0)
        var report = ""
        for _ in 0..<100 {
            let deleted = try await harness.ctr("task", "delete", "restored")
            report = deleted.output + deleted.errors
            if deleted.status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(report.contains("exit code 137"), "\(report)")
        // Events of the restored task, from its create to its exit.
        try await Task.sleep(for: .milliseconds(300))
        let topics = events.stop().filter { $0.body.contains("restored") }.map(\.topic)
        #expect(Array(topics.prefix(2)) == ["/tasks/create", "/tasks/start"], "\(from) -> \(to): \(topics)")
        #expect(topics.contains("/tasks/exit") && topics.last == "/tasks/delete", "\(from) -> \(to): \(topics)")
        print(
            "checkpoint \(from) -> restore \(to)\(terminal ? " (terminal)" : ""): \(atCheckpoint) then \(seen.last.map { "\($0)" } ?? "-"), events \(topics)"
        )
    }

    /// `ctr task checkpoint` leaves the task running, also when it is
    /// paused (and then still paused), with our shim and the Go shim. The
    /// task's stdio are containerd's FIFOs (`ctr run -d`): the shim gives the
    /// process pipes, which CRIU can dump (a FIFO from outside it cannot).
    @Test(arguments: ["ours", "go"]) func taskCheckpointLeavesItRunningOrPaused(shim: String) async throws {
        let harness = try ShimHarness(shim: Self.binary(shim))
        defer { harness.stop() }
        try await checkpointKeepsItRunning(harness, shim)
    }

    private func checkpointKeepsItRunning(_ harness: ShimHarness, _ shim: String) async throws {
        #expect(try await harness.run("kept", ["/bin/sh", "-c", Self.counter], detach: true).status == 0)
        try await Task.sleep(for: .seconds(1))
        let first = try await harness.ctr("task", "checkpoint", "kept")
        #expect(first.status == 0, "\(shim): \(first.errors)\n\(Self.criuErrors(first.errors))")
        #expect(try await harness.ctr("task", "ls").output.contains("RUNNING"), "\(shim)")
        // A second task, paused, then checkpointed: still paused after.
        // (Its own task: containerd 1.6 refuses a second checkpoint of one
        // task whose content it already holds, with either shim.)
        #expect(try await harness.run("still", ["/bin/sh", "-c", Self.counter], detach: true).status == 0)
        #expect(try await harness.ctr("task", "pause", "still").status == 0)
        let paused = try await harness.ctr("task", "checkpoint", "still")
        #expect(paused.status == 0, "\(shim): \(paused.errors)\n\(Self.criuErrors(paused.errors))")
        let listed = try await harness.ctr("task", "ls").output
        #expect(listed.split(separator: "\n").contains { $0.contains("still") && $0.contains("PAUSED") }, "\(shim): \(listed)")
        #expect(try await harness.ctr("task", "resume", "still").status == 0)
        let images = try await harness.ctr("images", "ls", "-q")
        #expect(images.output.split(separator: "\n").count >= 2, "two checkpoint images: \(images.output)")
    }

    /// An image-based container checkpointed with its task into containerd's
    /// content store (`ctr container checkpoint --task`) and restored live
    /// (`ctr container restore --live`): the restored process counts on.
    @Test func containerCheckpointAndLiveRestore() async throws {
        let archive = try #require(ProcessInfo.processInfo.environment["GUEST_IMAGES"].map { $0 + "/busybox.tar" }, "GUEST_IMAGES")
        let harness = try ShimHarness(shim: ShimHarness.shimV2Binary)
        defer { harness.stop() }
        try await liveRestore(harness, archive: archive)
    }

    private func liveRestore(_ harness: ShimHarness, archive: String) async throws {
        #expect(try await harness.ctr("images", "import", archive).status == 0)
        let image = "localhost/swift-test/busybox:1"
        let started = try await harness.ctr("run", "-d", "--runtime", harness.shim, image, "web", "/bin/sh", "-c", Self.counter)
        #expect(started.status == 0, "\(started.errors)")
        try await Task.sleep(for: .seconds(1))
        let before = try #require(Self.reading(try await harness.ctr("task", "exec", "--exec-id", "r1", "web", "cat", "/count").output))
        let checkpoint = try await harness.ctr("container", "checkpoint", "--task", "web", "checkpoint/web:1")
        #expect(checkpoint.status == 0, "\(checkpoint.errors)")
        #expect(try await harness.ctr("task", "kill", "-s", "SIGKILL", "web").status == 0)
        for _ in 0..<100 {
            if try await harness.ctr("task", "delete", "web").status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await harness.ctr("container", "delete", "web").status == 0)
        let restore = try await harness.ctr("container", "restore", "--live", "web", "checkpoint/web:1")
        #expect(restore.status == 0, "\(restore.errors)")
        try await Task.sleep(for: .milliseconds(500))
        let after = try #require(Self.reading(try await harness.ctr("task", "exec", "--exec-id", "r2", "web", "cat", "/count").output))
        #expect(after.token == before.token && after.count > before.count, "\(before) then \(after)")
        let state = try await harness.ctr("task", "ls")
        #expect(state.output.contains("web") && state.output.contains("RUNNING"), "\(state.output)")
    }
}
