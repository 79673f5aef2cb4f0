import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

extension CgroupsTests {
    @Suite struct OOM {
        /// A real v1 OOM kill: dd allocates a 256 MiB buffer inside a 32 MiB
        /// memory cgroup (swap limited too, so it cannot swap its way out).
        @Test func v1EventfdReportsAnOOMKill() async throws {
            let box = try CgroupSandbox("oom")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: box.hierarchy)
            var memory = CgroupResources.Memory(limit: 32 << 20)
            if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") { memory.swap = 32 << 20 }
            try cgroup.apply(CgroupResources(memory: memory))
            let events = try cgroup.oomEvents()
            let procs = try #require(cgroup.v1Directories[.memory]).appending("cgroup.procs").string
            let started = ContinuousClock.now
            // The shell moves itself into the cgroup, then becomes dd.
            let child = try box.start(["/bin/sh", "-c", "echo $$ > \(procs) && exec dd if=/dev/zero of=/dev/null bs=256M count=1"])
            let first = try await withTimeout(seconds: 20) { () -> OOMEvent? in
                for await event in events { return event }
                return nil
            }
            let latency = ContinuousClock.now - started
            // The v1 notification can come before the kernel counts the kill, so the count is read after the exit.
            _ = try #require(first)
            #expect(child.waitForExit(timeout: 10) == 137, "the OOM killer sent SIGKILL")
            guard case .v1(let stats) = try cgroup.stats() else { Issue.record("expected v1"); return }
            #expect(stats.memoryOomControl?.oomKill ?? 0 >= 1)
            #expect(stats.memory?.usage.max ?? 0 > 0, "peak usage recorded")
            print("v1 OOM notification \(latency) after the allocating process started")
            try cgroup.delete(killingProcesses: true)
        }

        @Test func v1SequenceEndsWhenTheCgroupIsRemoved() async throws {
            let box = try CgroupSandbox("oom-end")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: box.hierarchy)
            let events = try cgroup.oomEvents()
            let collector = Task {
                var count = 0
                for await _ in events { count += 1 }
                return count
            }
            try await Task.sleep(for: .milliseconds(50))
            try cgroup.delete()
            let count = try await withTimeout(seconds: 10) { await collector.value }
            #expect(count == 0)
        }
    }
}
