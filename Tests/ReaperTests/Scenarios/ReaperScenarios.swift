// Runs Reaper scenarios in a process of its own: the Reaper makes this
// process a subreaper, blocks SIGCHLD and reaps every child, which must not
// disturb other test suites. ReaperTests starts this program once per
// scenario and expects "PASS <name>" and exit status 0.
//
//   reaper-scenarios NAME [driven]
//
// With `driven`, the Reaper has no thread of its own: a thread here plays
// the event loop that drives it (poll(2) on its descriptor, then runReady).

import OCISpec
import Reaper
import Runc
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension String {
    /// Without surrounding spaces and newlines (no Foundation here).
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}

struct ScenarioFailure: Error, CustomStringConvertible {
    var description: String
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(ScenarioFailure) {
    if !condition { throw ScenarioFailure(description: message()) }
}

/// Children of this process that are zombies (state Z in /proc/PID/stat).
func zombieChildren() -> [Int32] {
    guard let directory = opendir("/proc") else { return [] }
    defer { closedir(directory) }
    var zombies: [Int32] = []
    let me = getpid()
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = Int32(name), let file = fopen("/proc/\(pid)/stat", "r") else { continue }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = fread(&buffer, 1, 1023, file)
        let line = String(decoding: buffer[0..<count], as: UTF8.self)
        fclose(file)
        // pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
        guard let close = line.lastIndex(of: ")") else { continue }
        let fields = line[line.index(after: close)...].split(separator: " ")
        if fields.count > 1, fields[0] == "Z", Int32(fields[1]) == me { zombies.append(pid) }
    }
    return zombies
}

@main
enum ReaperScenarios {
    static let scenarios: [String: @Sendable (Reaper) async throws -> Void] = [
        "thousand": thousandChildren,
        "orphan": orphanIsReaped,
        "early-exit": earlyExitIsKept,
        "capture": captureAndInput,
        "timeout": timeoutKills,
        "errors": spawnErrors,
        "background-holder": backgroundChildHoldingStdout,
        "signal-mask": childHasEmptySignalMask,
        "cancel": cancellationKills,
        "session": newSessionAndGroup,
        "descriptors": extraDescriptors,
        "runc": runcThroughTheReaper,
        "signal": signalOnlyWhileRunning,
    ]

    static func main() async {
        Reaper.blockSIGCHLD()
        guard CommandLine.arguments.count >= 2, let scenario = scenarios[CommandLine.arguments[1]] else {
            print("usage: reaper-scenarios \(scenarios.keys.sorted().joined(separator: "|"))")
            exit(2)
        }
        let name = CommandLine.arguments[1]
        let driven = CommandLine.arguments.dropFirst(2).first == "driven"
        do {
            let reaper = driven ? try Reaper.startDriven() : try Reaper.start()
            if driven { try DrivingLoop.start(reaper) }
            try check(reaper.isSubreaper, "not a subreaper")
            try await scenario(reaper)
            try await Task.sleep(for: .milliseconds(50))
            let zombies = zombieChildren()
            try check(zombies.isEmpty, "zombies left: \(zombies)")
            print("PASS \(name)\(driven ? " (driven)" : "")")
            exit(0)
        } catch {
            print("FAIL \(name): \(error)")
            exit(1)
        }
    }

    /// 1,000 children at once, each exiting with its own code or signal:
    /// each caller gets its own child's status, and a subscriber sees every
    /// exit exactly once.
    static func thousandChildren(_ reaper: Reaper) async throws {
        let seen = Mutex<[Int32: Int]>([:])
        let stream = reaper.exits()
        let watcher = Task {
            for await exit in stream { seen.withLock { $0[exit.pid, default: 0] += 1 } }
        }
        let results = try await withThrowingTaskGroup(of: (Int, Int32, Int32).self) { group in
            for index in 0..<1000 {
                group.addTask {
                    // Every seventh child dies of a signal; the rest exit with their index mod 200.
                    let script = index % 7 == 0 ? "kill -\(index % 2 == 0 ? 9 : 15) $$" : "exit \(index % 200)"
                    let output = try await reaper.run(ReaperCommand("/bin/sh", ["-c", script], stdout: .null, stderr: .null))
                    return (index, output.exit.pid, output.exit.code)
                }
            }
            var all: [(Int, Int32, Int32)] = []
            for try await result in group { all.append(result) }
            return all
        }
        try check(results.count == 1000, "only \(results.count) results")
        for (index, _, code) in results {
            let expected: Int32 = index % 7 == 0 ? (index % 2 == 0 ? 137 : 143) : Int32(index % 200)
            try check(code == expected, "child \(index) reported \(code), expected \(expected)")
        }
        try await Task.sleep(for: .milliseconds(200))
        watcher.cancel()
        let counts = seen.withLock { $0 }
        for (_, pid, _) in results {
            try check(counts[pid] == 1, "pid \(pid) seen \(counts[pid] ?? 0) times by the subscriber")
        }
    }

    /// A grandchild whose parent exits first is re-parented to us and reaped.
    static func orphanIsReaped(_ reaper: Reaper) async throws {
        let output = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "sleep 0.3 >/dev/null 2>&1 & echo $!"]))
        guard let orphan = Int32(output.stdoutText.trimmed) else {
            throw ScenarioFailure(description: "no pid printed: \(output.stdoutText)")
        }
        try check(output.exit.code == 0, "sh exited \(output.exit.code)")
        let exit = try await reaper.wait(for: orphan)
        try check(exit.pid == orphan && exit.code == 0, "orphan exit \(exit)")
    }

    /// A child that exits before anyone asks is kept until claimed.
    static func earlyExitIsKept(_ reaper: Reaper) async throws {
        let child = try reaper.spawn(ReaperCommand("/bin/sh", ["-c", "exit 42"], stdout: .null, stderr: .null))
        try await Task.sleep(for: .milliseconds(300))
        try check(reaper.unclaimedExits.contains { $0.pid == child.pid }, "exit not kept")
        let exit = try await reaper.wait(for: child.pid)
        try check(exit.code == 42, "got \(exit)")
        try check(!reaper.unclaimedExits.contains { $0.pid == child.pid }, "exit still kept after claim")
        let other = try reaper.spawn(ReaperCommand("/bin/true", stdout: .null, stderr: .null))
        try await Task.sleep(for: .milliseconds(200))
        reaper.release(other.pid)
        try check(!reaper.unclaimedExits.contains { $0.pid == other.pid }, "release did not drop the exit")
    }

    /// stdin is fed, stdout and stderr are captured separately, large output arrives whole.
    static func captureAndInput(_ reaper: Reaper) async throws {
        let input = Array((0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let cat = try await reaper.run(ReaperCommand("/bin/cat", stdin: .pipe, input: input))
        try check(cat.stdout == input, "cat returned \(cat.stdout.count) bytes, expected \(input.count)")
        let both = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "echo out; echo err >&2; head -c 2000000 /dev/zero"]))
        try check(both.stdout.count == 4 + 2_000_000, "stdout \(both.stdout.count) bytes")
        try check(both.stderrText == "err\n", "stderr \(both.stderrText)")
        let environment = try await reaper.run(
            ReaperCommand("/bin/sh", ["-c", "echo $GREETING; pwd"], environment: ["GREETING=hello"], directory: "/tmp"))
        try check(environment.stdoutText == "hello\n/tmp\n", "environment/cwd: \(environment.stdoutText)")
    }

    static func timeoutKills(_ reaper: Reaper) async throws {
        // A 600 s sleep ending well before that can only have been killed.
        let start = ContinuousClock.now
        let output = try await reaper.run(ReaperCommand("/bin/sleep", ["600"], timeout: .milliseconds(200)))
        try check(output.timedOut, "not marked timed out")
        try check(output.exit.code == 137, "exit \(output.exit)")
        try check(ContinuousClock.now - start < .seconds(300), "the sleep was not killed")
    }

    static func spawnErrors(_ reaper: Reaper) async throws {
        do {
            _ = try await reaper.run(ReaperCommand("/nonexistent/program"))
            throw ScenarioFailure(description: "missing binary started")
        } catch let error as ReaperError {
            try check(error.errno == .noSuchFileOrDirectory && error.code == .executableNotFound, "missing binary: \(error)")
            try check(error.description.contains("/nonexistent/program"), "message lacks the path: \(error)")
        }
        let plain = "/tmp/reaper-not-executable-\(getpid())"
        let fd = open(plain, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o644)
        close(fd)
        defer { unlink(plain) }
        do {
            _ = try await reaper.run(ReaperCommand(plain))
            throw ScenarioFailure(description: "non-executable started")
        } catch let error as ReaperError {
            try check(error.errno == .permissionDenied && error.code == .executableNotFound, "not executable: \(error)")
        }
        do {
            _ = try await reaper.run(ReaperCommand("definitely-not-a-program-\(getpid())"))
            throw ScenarioFailure(description: "unknown name started")
        } catch let error as ReaperError {
            try check(error.errno == .noSuchFileOrDirectory, "PATH lookup: \(error)")
        }
        do {
            _ = try await reaper.run(ReaperCommand("/bin/true", directory: "/nonexistent-dir"))
            throw ScenarioFailure(description: "missing cwd accepted")
        } catch let error as ReaperError {
            try check(error.errno == .noSuchFileOrDirectory, "missing cwd: \(error)")
        }
    }

    /// A background child keeping stdout open must not hang the run.
    static func backgroundChildHoldingStdout(_ reaper: Reaper) async throws {
        // The background sleep holds stdout for 600 s; run must return with
        // the output long before, without waiting for it.
        let start = ContinuousClock.now
        let output = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "sleep 600 & echo $!"]))
        try check(ContinuousClock.now - start < .seconds(300), "run waited for the background child")
        guard let holder = Int32(output.stdoutText.trimmed) else {
            throw ScenarioFailure(description: "stdout \(output.stdoutText)")
        }
        kill(holder, SIGKILL)
        let exit = try await reaper.wait(for: holder)  // re-parented to us, and reaped
        try check(exit.code == 137, "holder exit \(exit)")
    }

    static func childHasEmptySignalMask(_ reaper: Reaper) async throws {
        let output = try await reaper.run(ReaperCommand("/bin/grep", ["-E", "^(SigBlk|SigIgn):", "/proc/self/status"]))
        let lines = output.stdoutText.split(separator: "\n")
        try check(lines.count == 2, "status: \(output.stdoutText)")
        // Signals 1 to 31 must be neither blocked nor ignored (32 and 33 are
        // glibc's internal real-time signals, which posix_spawn leaves alone).
        for line in lines {
            let hex = line.split(separator: "\t").last.map(String.init) ?? ""
            let mask = UInt64(hex, radix: 16) ?? UInt64.max
            try check(mask & 0x7FFF_FFFF == 0, "child mask not empty: \(line)")
        }
    }

    static func cancellationKills(_ reaper: Reaper) async throws {
        let task = Task { try await reaper.run(ReaperCommand("/bin/sleep", ["30"])) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let output = try await task.value
        try check(output.exit.code == 137, "cancelled child exit \(output.exit)")
    }

    /// signalIfRunning reaches a running child, and nobody once it is reaped.
    static func signalOnlyWhileRunning(_ reaper: Reaper) async throws {
        let child = try reaper.spawn(ReaperCommand("/bin/sleep", ["30"], stdout: .null, stderr: .null))
        try check(try await reaper.signalIfRunning(child.pid, signal: SIGTERM), "a running child is signalled")
        let exit = try await reaper.wait(for: child.pid)
        try check(exit.code == 128 + SIGTERM, "it died of SIGTERM: \(exit)")
        try check(try await !reaper.signalIfRunning(child.pid, signal: SIGKILL), "a reaped child is not signalled")
        try check(try await !reaper.signalIfRunning(getpid(), signal: 0), "this process is not its own child")
    }

    static func newSessionAndGroup(_ reaper: Reaper) async throws {
        let session = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "ps -o sid= -o pgid= -p $$"], newSession: true))
        let ids = session.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        try check(ids.count == 2 && ids[0] == session.exit.pid && ids[1] == session.exit.pid, "new session: \(session.stdoutText)")
        let group = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "ps -o pgid= -p $$"], ownProcessGroup: true))
        try check(Int32(group.stdoutText.trimmed) == group.exit.pid, "own group: \(group.stdoutText)")
    }

    /// Runc driven through the Reaper: `reaper-scenarios runc BUNDLE RUNC_ROOT ID`.
    /// runc exits after create, so the container's init is re-parented to
    /// this subreaper, and its exit arrives here.
    static func runcThroughTheReaper(_ reaper: Reaper) async throws {
        let arguments = CommandLine.arguments
        try check(arguments.count == 5, "usage: reaper-scenarios runc BUNDLE RUNC_ROOT ID")
        let (bundle, root, id) = (arguments[2], arguments[3], arguments[4])
        let runc = Runc(root: root, monitor: ReaperMonitor(reaper: reaper))
        defer { _ = Task { try? await runc.delete(id, force: true) } }
        let pidFile = bundle + "/init.pid"
        try await runc.create(id, bundle: bundle, options: CreateOptions(pidFile: pidFile))
        let initPid = try Int32(String(decoding: readFile(pidFile), as: UTF8.self).trimmed) ?? -1
        try check(initPid > 0, "no init pid")
        try await runc.start(id)
        try check(try await runc.state(id).status == "running", "not running")
        let echo = try await runc.execCapturing(id, process: ProcessSpec(args: ["echo", "via reaper"], env: ["PATH=/bin"], cwd: "/"))
        try check(echo.status == 0 && String(decoding: echo.stdout, as: UTF8.self) == "via reaper\n", "exec: \(echo)")
        try await runc.kill(id, signal: SIGKILL)
        let exit = try await reaper.wait(for: initPid)
        try check(exit.code == 137, "init exit \(exit)")
        try await runc.delete(id)
        try check(try await !runc.list().contains { $0.id == id }, "still listed")
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw ScenarioFailure(description: "cannot open \(path)") }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = fread(&bytes, 1, bytes.count, file)
        return Array(bytes[0..<count])
    }

    static func extraDescriptors(_ reaper: Reaper) async throws {
        var ends: [Int32] = [-1, -1]
        try check(pipe(&ends) == 0, "pipe")
        let output = try await reaper.run(ReaperCommand("/bin/sh", ["-c", "echo via-fd3 >&3"], extraDescriptors: [ends[1]]))
        close(ends[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(ends[0], &buffer, 64)
        close(ends[0])
        try check(output.exit.code == 0 && count > 0 && String(decoding: buffer[0..<count], as: UTF8.self) == "via-fd3\n", "fd 3: \(count)")
    }
}

/// A minimal event loop of the caller's, as a process that drives its
/// Reaper has: one thread that polls the Reaper's descriptor and runs what
/// is ready, always on that thread.
enum DrivingLoop {
    static func start(_ reaper: Reaper) throws {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(reaper).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                let reaper = Unmanaged<Reaper>.fromOpaque(context).takeRetainedValue()
                var entry = pollfd(fd: reaper.descriptor, events: Int16(POLLIN), revents: 0)
                while true {
                    if poll(&entry, 1, -1) > 0 { reaper.runReady() }
                }
            }, context)
        guard result == 0 else { throw ScenarioFailure(description: "pthread_create: \(result)") }
        pthread_detach(thread)
    }
}
