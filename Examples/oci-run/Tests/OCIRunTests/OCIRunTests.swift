import Console
import Reaper
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// oci-run for real: runc, cgroups, an overlay mount, ptys and signals, on
/// a busybox bundle. Run as root with runc and busybox-static installed.
@Suite(.serialized)
struct OCIRunTests {
    @Test func pipesLimitsAndTheExitStatusPassThrough() async throws {
        try await withBundle { bundle in
            let id = "test-limits-\(getpid())"
            let script = """
                echo out; echo err >&2
                cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
                cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max
                cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max
                exit 7
                """
            let output = try await Tool.run([
                "--id", id, "--memory", "64M", "--pids", "20", "--cpus", "0.5", bundle.path, "--", "sh", "-c", script,
            ])
            #expect(output.exit.code == 7, "the container's exit status: \(output.stderrText)")
            let lines = output.stdoutText.split(separator: "\n").map(String.init)
            #expect(lines.first == "out" && output.stderrText.contains("err"), "\(output.stdoutText) / \(output.stderrText)")
            #expect(lines.contains("67108864"), "the memory limit, seen from inside: \(lines)")
            #expect(lines.contains("20"), "the pids limit, seen from inside: \(lines)")
            #expect(lines.contains { $0.hasPrefix("50000") }, "the CPU quota (half of a 100 ms period): \(lines)")
            #expect(Tool.leftovers(of: id).isEmpty, "\(Tool.leftovers(of: id))")
        }
    }

    @Test func aContainerOverItsMemoryLimitEndsWith137() async throws {
        try await withBundle { bundle in
            let output = try await Tool.run([
                "--memory", "16M", bundle.path, "--", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1",
            ])
            #expect(output.exit.code == 137, "OOM-killed: \(output.stderrText)")
        }
    }

    @Test func theRootfsIsAnOverlayTheBundleNeverSees() async throws {
        try await withBundle { bundle in
            let id = "test-overlay-\(getpid())"
            let output = try await Tool.run(["--id", id, bundle.path, "--", "sh", "-c", "echo changed > /bin/marker && cat /bin/marker"])
            #expect(output.exit.code == 0 && output.stdoutText == "changed\n", "\(output.stdoutText) \(output.stderrText)")
            #expect(!bundle.rootfsHas("bin/marker"), "the write stayed in the overlay's upper layer")
            #expect(Tool.leftovers(of: id).isEmpty, "unmounted and removed: \(Tool.leftovers(of: id))")
        }
    }

    @Test func aSignalToOCIRunReachesTheContainer() async throws {
        try await withBundle { bundle in
            let reaper = try Tool.reaper()
            let script = #"trap "echo caught INT; exit 5" INT; echo ready; while :; do sleep 0.1; done"#
            let child = try reaper.spawn(ReaperCommand(Tool.path, [bundle.path, "--", "sh", "-c", script], stderr: .null))
            guard let stdout = child.stdout else { throw TestFailure("no stdout pipe") }
            defer { try? stdout.close() }
            var seen = try readUntil("ready", from: stdout)
            #expect(seen.contains("ready"), "\(seen)")
            #expect(try await reaper.signalIfRunning(child.pid, signal: SIGINT))
            let exit = try await reaper.wait(for: child.pid)
            seen += try readUntil(nil, from: stdout)
            #expect(exit.code == 5 && seen.contains("caught INT"), "Ctrl-C reached the container's trap: \(exit) \(seen)")
        }
    }

    @Test func aTerminalOfTheCallersSize() async throws {
        try await withBundle { bundle in
            let pty = try Pty()
            try pty.slaveTerminal.setWindowSize(WindowSize(rows: 40, columns: 132))
            let slave = pty.slave.rawValue
            let output = try await Tool.reaper().run(
                ReaperCommand(
                    Tool.path, ["--tty", bundle.path, "--", "sh", "-c", "tty; stty size; exit 3"], stdin: .descriptor(slave),
                    stdout: .descriptor(slave), stderr: .descriptor(slave), timeout: .seconds(60)))
            #expect(output.exit.code == 3)
            let master = FileDescriptor(rawValue: pty.master.rawValue)
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = fcntl(master.rawValue, F_SETFL, fcntl(master.rawValue, F_GETFL) | O_NONBLOCK)
            let count = (try? buffer.withUnsafeMutableBytes { try master.read(into: $0) }) ?? 0
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            #expect(text.contains("/dev/pts/0"), "the container has a terminal of its own: \(text)")
            #expect(text.contains("40 132"), "with our terminal's size: \(text)")
            #expect(try pty.slaveTerminal.isEchoing(), "our terminal left raw mode")
        }
    }

    @Test func mistakesAreReportedAndNothingIsLeft() async throws {
        try await withBundle { bundle in
            let noBundle = try await Tool.run(["/nonexistent-bundle"])
            #expect(noBundle.exit.code == 125 && noBundle.stderrText.contains("no bundle at /nonexistent-bundle"), "\(noBundle.stderrText)")
            let badSize = try await Tool.run(["--memory", "12X", bundle.path])
            #expect(badSize.exit.code == 2 && badSize.stderrText.contains("12X is not a size"), "\(badSize.stderrText)")
            let id = "test-missing-\(getpid())"
            let missing = try await Tool.run(["--id", id, bundle.path, "--", "/bin/no-such-program"])
            #expect(missing.exit.code == 125 && missing.stderrText.contains("no-such-program"), "runc's reason: \(missing.stderrText)")
            #expect(Tool.leftovers(of: id).isEmpty, "\(Tool.leftovers(of: id))")
        }
    }
}

/// Runs `body` with a fresh bundle and removes it after, whatever happens.
func withBundle(_ body: (TestBundle) async throws -> Void) async throws {
    let bundle = try await TestBundle.make()
    do {
        try await body(bundle)
    } catch {
        await bundle.remove()
        throw error
    }
    await bundle.remove()
}

/// Reads `descriptor` until `marker` appears, or to its end when `marker` is nil.
func readUntil(_ marker: String?, from descriptor: FileDescriptor) throws -> String {
    var text = ""
    var buffer = [UInt8](repeating: 0, count: 1024)
    while marker.map({ !text.contains($0) }) ?? true {
        let count = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0) }
        if count == 0 { break }
        text += String(decoding: buffer[0..<count], as: UTF8.self)
    }
    return text
}
