import Console
import Foundation
import Synchronization
import TestSupport
import Testing

/// The whole task service end to end: execs, terminals, pause, metrics,
/// OOM and loggers, through Debian's containerd 1.6 and ctr. Also the races
/// other shims shipped (each test names the containerd issue it covers).
@Suite(.serialized) struct ShimTaskServiceTests {
    /// Events as `ctr events` prints them: topic and JSON body, in order.
    final class EventLog: @unchecked Sendable {
        let process: BackgroundProcess
        init(_ harness: ShimHarness) throws {
            process = try BackgroundProcess(harness.containerd.ctrArguments(["events"]))
        }

        func stop() -> [(topic: String, body: String)] {
            process.stopAndCollect().split(separator: "\n").compactMap { line in
                guard let topic = line.split(separator: " ").first(where: { $0.hasPrefix("/tasks/") }),
                    let brace = line.firstIndex(of: "{")
                else { return nil }
                return (String(topic), String(line[brace...]))
            }
        }
    }

    static func value(_ key: String, in body: String) -> String? {
        guard let range = body.range(of: "\"\(key)\":") else { return nil }
        let rest = body[range.upperBound...].drop { $0 == " " || $0 == "\"" }
        return String(rest.prefix { $0 != "," && $0 != "\"" && $0 != "}" })
    }

    func ctr(_ harness: ShimHarness, _ arguments: [String], input: [UInt8] = []) async throws -> CommandResult {
        try await Command.runOffPool(harness.containerd.ctrArguments(arguments), input: input)
    }

    @Test func execWithoutTerminalGivesOutputAndExitCode() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("box", ["/bin/sleep", "1000"], detach: true).status == 0)
        let exec = try await ctr(harness, ["task", "exec", "--exec-id", "e1", "box", "/bin/sh", "-c", "echo out; echo err >&2; exit 5"])
        #expect(exec.status == 5, "\(exec.errors)")
        #expect(exec.output == "out\n")
        #expect(exec.errors.contains("err"))
        // stdin reaches the exec, and its end reaches it too (CloseIO). The
        // input comes after a pause: ctr 1.6 only sends CloseIO if its stdin
        // ends after Exec returned (its own race, containerd #4489).
        let command = harness.containerd.ctrArguments(["task", "exec", "--exec-id", "e2", "box", "/bin/cat"]).joined(separator: " ")
        let cat = try await Command.runOffPool(["/bin/sh", "-c", "(sleep 1; echo piped) | \(command)"])
        #expect(cat.status == 0 && cat.output == "piped\n", "\(cat.errors)")
        // A background child holding stdout does not hold the exec's end (containerd #7802).
        let background = try await ctr(harness, ["task", "exec", "--exec-id", "e3", "box", "/bin/sh", "-c", "sleep 60 & echo started"])
        #expect(background.status == 0 && background.output == "started\n")
        let ps = try await harness.ctr("task", "ps", "box")
        #expect(ps.output.split(separator: "\n").count >= 3, "ctr returned while the background sleep still runs: \(ps.output)")
        // ctr deleted e1 when it finished, so the id can be used again.
        #expect(try await ctr(harness, ["task", "exec", "--exec-id", "e1", "box", "/bin/true"]).status == 0)
        _ = try await harness.ctr("task", "kill", "-s", "SIGKILL", "box")
    }

    @Test func hundredConcurrentExecsEachExitOnce() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("many", ["/bin/sleep", "1000"], detach: true).status == 0)
        let events = try EventLog(harness)
        try await Task.sleep(for: .milliseconds(300))
        let statuses = try await withThrowingTaskGroup(of: (Int, Int32).self) { group in
            for index in 0..<100 {
                group.addTask {
                    let result = try await self.ctr(
                        harness, ["task", "exec", "--exec-id", "x\(index)", "many", "/bin/sh", "-c", "exit \(index % 7)"])
                    return (index, result.status)
                }
            }
            // State keeps answering while the execs start and exit (containerd #2709: no reaper wait blocks it).
            group.addTask {
                let state = try await self.ctr(harness, ["task", "ls"])
                return (-1, state.status == 0 && state.output.contains("RUNNING") ? 0 : 1)
            }
            var all: [Int: Int32] = [:]
            for try await (index, status) in group { all[index] = status }
            return all
        }
        #expect(statuses[-1] == 0, "task ls answered during the execs")
        for index in 0..<100 { #expect(statuses[index] == Int32(index % 7), "exec x\(index)") }
        try await Task.sleep(for: .milliseconds(500))
        let exits = events.stop().filter { $0.topic == "/tasks/exit" }
        for index in 0..<100 {
            let mine = exits.filter { Self.value("id", in: $0.body) == "x\(index)" }
            #expect(mine.count == 1, "exec x\(index) has \(mine.count) exit events")
            if index % 7 != 0 { #expect(mine.first.flatMap { Self.value("exit_status", in: $0.body) } == "\(index % 7)") }
        }
        _ = try await harness.ctr("task", "kill", "-s", "SIGKILL", "many")
    }

    @Test func execExitIsPublishedBeforeInitExit() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("order", ["/bin/sleep", "1000"], detach: true).status == 0)
        let events = try EventLog(harness)
        try await Task.sleep(for: .milliseconds(300))
        let exec = try BackgroundProcess(
            harness.containerd.ctrArguments(["task", "exec", "--exec-id", "long", "order", "/bin/sleep", "1000"]))
        defer { exec.stop() }
        try await Task.sleep(for: .milliseconds(800))
        #expect(try await harness.ctr("task", "kill", "-s", "SIGKILL", "order").status == 0)
        var stopped = false
        for _ in 0..<200 where !stopped {
            stopped = try await harness.ctr("task", "ls").output.contains("STOPPED")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(stopped, "the task does not stay RUNNING")
        try await Task.sleep(for: .milliseconds(300))
        let exits = events.stop().filter { $0.topic == "/tasks/exit" }.map { Self.value("id", in: $0.body) ?? "?" }
        #expect(exits == ["long", "order"], "\(exits)")
    }

    @Test func execWithTerminal() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("tty", ["/bin/sleep", "1000"], detach: true).status == 0)
        let driver = try TerminalDriver(
            harness.containerd.ctrArguments([
                "task", "exec", "-t", "--exec-id", "t1", "tty", "/bin/sh", "-c", "tty; sleep 1; stty size; exit 4",
            ]),
            size: WindowSize(rows: 30, columns: 100))
        // ctr sends its size with ResizePty right after Start; the sleep lets it land.
        let text = driver.read(until: "30 100")
        #expect(text.contains("/dev/pts/"), "\(text)")
        #expect(text.contains("30 100"), "\(text)")
        #expect(driver.wait() == 4)
        try await Task.sleep(for: .milliseconds(200))
        #expect(
            Self.shimDescriptors(matching: "/dev/ptmx", namespace: harness.containerd.namespace) == 0,
            "the pty master is closed once the exec is gone")
        _ = try await harness.ctr("task", "kill", "-s", "SIGKILL", "tty")
    }

    @Test func interactiveRunWithTerminal() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let driver = try TerminalDriver(
            harness.containerd.ctrArguments([
                "run", "-t", "--rm", "--runtime", harness.shim, "--rootfs", harness.rootfs.path, "shell", "/bin/sh",
            ]))
        driver.type("echo sum-$((40+2))\r")
        #expect(driver.read(until: "sum-42").contains("sum-42"))
        try await Task.sleep(for: .milliseconds(200))
        try driver.resize(WindowSize(rows: 41, columns: 133))
        try await Task.sleep(for: .milliseconds(500))
        driver.type("stty size\r")
        #expect(driver.read(until: "41 133").contains("41 133"), "the resize is seen inside")
        driver.type("exit 6\r")
        #expect(driver.wait() == 6)
    }

    @Test func pauseResumePsAndMetrics() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        #expect(try await harness.run("pause", ["/bin/sh", "-c", "while :; do sleep 1; done"], detach: true).status == 0)
        let events = try EventLog(harness)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await harness.ctr("task", "pause", "pause").status == 0)
        #expect(try await harness.ctr("task", "ls").output.contains("PAUSED"))
        #expect(try await harness.ctr("task", "resume", "pause").status == 0)
        #expect(try await harness.ctr("task", "ls").output.contains("RUNNING"))
        let exec = try BackgroundProcess(
            harness.containerd.ctrArguments(["task", "exec", "--exec-id", "side", "pause", "/bin/sleep", "1000"]))
        defer { exec.stop() }
        try await Task.sleep(for: .milliseconds(800))
        let ps = try await harness.ctr("task", "ps", "pause")
        #expect(ps.output.contains("side"), "ps names the exec: \(ps.output)")
        let metrics = try await harness.ctr("task", "metrics", "pause")
        #expect(metrics.status == 0, "\(metrics.errors)")
        let usage = metrics.output.split(separator: "\n").first { $0.contains("memory.usage_in_bytes") }
        let number = usage?.split(separator: " ").last.flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        #expect(number > 0, "\(metrics.output)")
        let cpu = try await harness.ctr("task", "metrics", "--format", "json", "pause")
        #expect(cpu.output.contains("\"total\""), "\(cpu.output)")
        _ = try await harness.ctr("task", "kill", "-s", "SIGKILL", "pause")
        try await Task.sleep(for: .milliseconds(300))
        let topics = events.stop().map(\.topic)
        #expect(topics.contains("/tasks/paused") && topics.contains("/tasks/resumed"), "\(topics)")
    }

    /// Update (through containerd's Go client: ctr has no `task update`):
    /// the new memory limit and CPU quota reach the container's cgroup.
    @Test func updateChangesTheCgroupLimits() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let outcome = try await GoShimParityTests().outcomes(harness, shim: harness.shim, "update", id: "updated")
        #expect(outcome["update"] as? String == "ok", "\(outcome)")
        #expect(outcome["memoryLimit"] as? String == "67108864", "\(outcome)")
        #expect(outcome["cpuQuota"] as? String == "50000", "\(outcome)")
    }

    /// `ctr run --rm` of a dd that needs 256 MiB under a 32 MiB limit: ctr's
    /// result and the event topics seen meanwhile.
    static func runOutOfMemory(_ harness: ShimHarness, settle: Duration = .milliseconds(300)) async throws
        -> (result: CommandResult, topics: [String])
    {
        let events = try EventLog(harness)
        try await Task.sleep(for: settle)
        let result = try await Command.runOffPool(
            harness.containerd.ctrArguments([
                "run", "--rm", "--memory-limit", "\(32 << 20)", "--runtime", harness.shim, "--rootfs", harness.rootfs.path, "oom",
                "/bin/dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1",
            ]))
        try await Task.sleep(for: settle)
        return (result, events.stop().map(\.topic))
    }

    @Test func oomKillIsReported() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let (result, topics) = try await Self.runOutOfMemory(harness)
        #expect(result.status == 137, "\(result.errors)")
        #expect(topics.contains("/tasks/oom"), "\(topics)")
        if let oom = topics.firstIndex(of: "/tasks/oom"), let exit = topics.firstIndex(of: "/tasks/exit") { #expect(oom < exit) }
    }

    @Test func fileAndBinaryLoggersReceiveEverything() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let logs = try TemporaryDirectory(prefix: "shim-logs")
        defer { logs.remove() }
        let file = logs.file("out/container.log")
        let fileRun = try await Command.runOffPool(
            harness.containerd.ctrArguments([
                "run", "--rm", "--log-uri", "file://\(file)", "--runtime", harness.shim, "--rootfs", harness.rootfs.path, "filelog",
                "/bin/sh", "-c", "seq 1 5000; echo to-stderr >&2",
            ]))
        #expect(fileRun.status == 0, "\(fileRun.errors)")
        let written = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        #expect(written.split(separator: "\n").filter { Int($0) != nil }.count == 5000, "\(written.suffix(200))")
        #expect(written.contains("to-stderr"))

        let logger = logs.file("logger.sh")
        try TestFile.write(
            """
            #!/bin/sh
            # A containerd binary logger: stdout on fd 3, stderr on fd 4, ready when fd 5 closes.
            dir=$2
            # Ready first: the cats below would otherwise inherit fd 5 and hold it open.
            exec 5>&-
            cat <&3 > "$dir/stdout" &
            cat <&4 > "$dir/stderr" &
            echo "$CONTAINER_ID $CONTAINER_NAMESPACE" > "$dir/env"
            wait
            """, to: logger)
        chmod(logger, 0o755)
        let binaryRun = try await Command.runOffPool(
            harness.containerd.ctrArguments([
                "run", "--rm", "--log-uri", "binary://\(logger)?dir=\(logs.path)", "--runtime", harness.shim, "--rootfs",
                harness.rootfs.path, "binlog", "/bin/sh", "-c", "seq 1 5000; echo to-stderr >&2",
            ]))
        #expect(binaryRun.status == 0, "\(binaryRun.errors)")
        let stdout = (try? String(contentsOfFile: logs.file("stdout"), encoding: .utf8)) ?? ""
        #expect(stdout.split(separator: "\n").count == 5000 && stdout.hasSuffix("5000\n"), "\(stdout.suffix(100))")
        #expect(((try? String(contentsOfFile: logs.file("stderr"), encoding: .utf8)) ?? "") == "to-stderr\n")
        #expect(((try? String(contentsOfFile: logs.file("env"), encoding: .utf8)) ?? "") == "binlog \(harness.containerd.namespace)\n")
    }

    /// How many descriptors of this namespace's shims point at `target`.
    static func shimDescriptors(matching target: String, namespace: String) -> Int {
        var count = 0
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
            guard let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                command.contains("containerd-shim-runc-v1"), command.contains(namespace)
            else { continue }
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? [] {
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == target { count += 1 }
            }
        }
        return count
    }
}
