import Foundation
import TestSupport
import Testing

/// containerd (Debian's 1.6) runs containers through our shim, given by
/// absolute path, with a private containerd per suite.
@Suite(.serialized) struct ShimEndToEndTests {
    @Test func runPrintsOutputAndReturnsTheExitCode() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let result = try await harness.run("hello", ["/bin/sh", "-c", "echo hello from the swift shim; echo to stderr >&2; exit 3"])
        #expect(result.status == 3, "\(result.errors)")
        #expect(result.output == "hello from the swift shim\n")
        #expect(result.errors.contains("to stderr"))
    }

    @Test func noOutputIsLostWhenTheProcessExitsQuickly() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let result = try await harness.run("seq", ["/bin/seq", "1", "20000"])
        #expect(result.status == 0, "\(result.errors)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 20000)
        #expect(lines.last == "20000")
    }

    @Test func eventsArriveInOrder() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let events = try BackgroundProcess(harness.containerd.ctrArguments(["events"]))
        try await Task.sleep(for: .milliseconds(300))
        let result = try await harness.run("events", ["/bin/true"])
        #expect(result.status == 0)
        try await Task.sleep(for: .milliseconds(500))
        let output = events.stopAndCollect()
        let topics = output.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("\"events\"") || line.contains("events") else { return nil }
            return line.split(separator: " ").first { $0.hasPrefix("/tasks/") }.map(String.init)
        }
        #expect(topics == ["/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"], "\(output)")
    }

    @Test func detachedTaskLifecycle() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let started = try await harness.run("detached", ["/bin/sleep", "1000"], detach: true)
        #expect(started.status == 0, "\(started.errors)")
        let tasks = try await harness.ctr("task", "ls")
        #expect(tasks.output.contains("detached") && tasks.output.contains("RUNNING"), "\(tasks.output)")
        let ps = try await harness.ctr("task", "ps", "detached")
        #expect(ps.output.split(separator: "\n").count >= 2, "\(ps.output)")
        #expect(try await harness.ctr("task", "kill", "-s", "SIGKILL", "detached").status == 0)
        var stopped = false
        for _ in 0..<100 {
            if try await harness.ctr("task", "ls").output.contains("STOPPED") {
                stopped = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(stopped)
        let deleted = try await harness.ctr("task", "delete", "detached")
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(deleted.errors.contains("exit code 137"), "ctr reports the exit status: \(deleted.output) \(deleted.errors)")
        #expect(try await harness.ctr("container", "delete", "detached").status == 0)
        #expect(try await !harness.ctr("task", "ls").output.contains("detached"))
    }
}

extension BackgroundProcess {
    /// Stops the program and returns what it printed.
    func stopAndCollect() -> String {
        stop()
        return collectedOutput
    }
}

/// What happens around failures: a killed container, a killed shim, a
/// restarted containerd.
@Suite(.serialized) struct ShimFailureTests {
    private func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func sigkillDuringRunGives137() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let run = Task { try await harness.run("killme", ["/bin/sleep", "1000"]) }
        #expect(try await waitFor { try await harness.ctr("task", "ls").output.contains("RUNNING") })
        let killed = try await harness.ctr("task", "kill", "-s", "SIGKILL", "killme")
        #expect(killed.status == 0, "\(killed.errors)")
        let result = try await run.value
        #expect(result.status == 137, "\(result.errors)")
    }

    @Test func killedShimIsCleanedUp() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("orphaned", ["/bin/sleep", "1000"], detach: true).status == 0)
        let bundle = harness.containerd.bundle("orphaned")
        let shimPid = try #require(Int32(String(contentsOfFile: bundle + "/shim.pid", encoding: .utf8)))
        let initPid = try #require(
            Int32(String(contentsOfFile: bundle + "/init.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let socket = try String(contentsOfFile: bundle + "/address", encoding: .utf8).replacingOccurrences(of: "unix://", with: "")
        kill(shimPid, SIGKILL)
        // containerd notices, runs `delete`, and the task is gone or stopped.
        #expect(
            try await waitFor {
                let tasks = try await harness.ctr("task", "ls").output
                return !tasks.contains("orphaned") || tasks.contains("STOPPED")
            })
        _ = try await harness.ctr("task", "delete", "orphaned")
        #expect(try await harness.ctr("container", "delete", "orphaned").status == 0)
        #expect(try await waitFor { kill(initPid, 0) != 0 }, "the container's init is gone")
        #expect(!FileManager.default.fileExists(atPath: socket), "no socket left")
        #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/\(harness.containerd.namespace)/orphaned"), "no cgroup left")
        let mountinfo = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mountinfo.contains(harness.containerd.directory.path + "/state"), "no mount left")
    }

    @Test func containerdRestartKeepsTheTask() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("survivor", ["/bin/sleep", "1000"], detach: true).status == 0)
        try harness.containerd.restart()
        #expect(try await harness.ctr("task", "ls").output.contains("RUNNING"))
        #expect(try await harness.ctr("task", "kill", "-s", "SIGKILL", "survivor").status == 0)
        #expect(try await waitFor { try await harness.ctr("task", "ls").output.contains("STOPPED") })
        let deleted = try await harness.ctr("task", "delete", "survivor")
        #expect(deleted.status == 0, "\(deleted.errors)")
        #expect(try await harness.ctr("container", "delete", "survivor").status == 0)
    }
}
