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
