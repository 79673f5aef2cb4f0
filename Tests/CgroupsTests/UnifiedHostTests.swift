import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Whether /sys/fs/cgroup is a cgroup v2 only hierarchy with the memory
/// controller: the test guest (`make test-vm`), not this repository's
/// development machines (cgroup v1 hybrid).
enum UnifiedCgroupHost {
    static let isAvailable: Bool = {
        guard let hierarchy = try? CgroupHierarchy.current(), hierarchy.mode == .unified else { return false }
        return hierarchy.unifiedControllers().contains(.memory)
    }()
}

extension CgroupsTests {
    /// The real unified hierarchy of a cgroup v2 only kernel, every
    /// controller there: what FakeV2Memory can only imitate. Runs in the test
    /// guest (`make test-vm`); elsewhere it is reported as disabled.
    @Suite(.enabled(if: UnifiedCgroupHost.isAvailable, "needs a cgroup v2 only host: make test-vm"))
    struct UnifiedHost {
        @Test func everyResourceIsWrittenAndReadBack() throws {
            let box = try CgroupSandbox("unified-resources")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path)
            #expect(cgroup.v1Directories.isEmpty)
            let child = try box.startSleeper()
            try cgroup.addProcess(child.processIdentifier)
            let device = try #require(Self.blockDevice(), "a block device for io.max")
            try cgroup.apply(
                CgroupResources(
                    memory: .init(limit: 64 << 20, reservation: 16 << 20, swap: 96 << 20),
                    cpu: .init(shares: 1024, quota: 50_000, period: 100_000, cpus: "0", mems: "0"),
                    pids: .init(limit: 100),
                    blockIO: .init(weight: 500, throttleReadBpsDevice: [.init(major: device.major, minor: device.minor, rate: 1 << 20)]),
                    hugepageLimits: [.init(pageSize: "2MB", limit: 4 << 21)],
                    unified: ["memory.high": "\(48 << 20)"]))
            #expect(try cgroup.read("memory.max") == "\(64 << 20)")
            #expect(try cgroup.read("memory.low") == "\(16 << 20)")
            #expect(try cgroup.read("memory.swap.max") == "\(32 << 20)", "swap is memory+swap minus memory")
            #expect(try cgroup.read("memory.high") == "\(48 << 20)")
            #expect(try cgroup.read("cpu.weight") == "39", "1024 shares")
            #expect(try cgroup.read("cpu.max") == "50000 100000")
            #expect(try cgroup.read("cpuset.cpus") == "0")
            #expect(try cgroup.read("cpuset.mems") == "0")
            #expect(try cgroup.read("pids.max") == "100")
            #expect(try cgroup.read("io.max").hasPrefix("\(device.major):\(device.minor) rbps=\(1 << 20)"))
            #expect(try cgroup.read("hugetlb.2MB.max") == "\(4 << 21)")
            // The io controller's weight file: `io.weight` (bfq's `io.bfq.weight` where that scheduler runs).
            let weight = (try? cgroup.read("io.weight")) ?? (try? cgroup.read("io.bfq.weight")) ?? ""
            #expect(weight.contains("4950") || weight.contains("500"), "io weight \(weight)")

            // Unlimited again.
            try cgroup.apply(CgroupResources(memory: .init(limit: -1), cpu: .init(quota: -1), pids: .init(limit: -1)))
            #expect(try cgroup.read("memory.max") == "max")
            #expect(try cgroup.read("cpu.max").hasPrefix("max"))
            #expect(try cgroup.read("pids.max") == "max")
            try cgroup.delete(killingProcesses: true)
        }

        @Test func statsAreShapedAsContainerdsV2Metrics() throws {
            let box = try CgroupSandbox("unified-stats")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path)
            let scratch = NSTemporaryDirectory() + "unified-stats-\(getpid())"
            defer { unlink(scratch) }
            // Some CPU, memory and I/O to count.
            let child = try box.start([
                "/bin/sh", "-c",
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; head -c 8388608 /dev/zero > \(scratch); sync; sleep 1000",
            ])
            try cgroup.addProcess(child.processIdentifier)
            var snapshot = CgroupV2Stats()
            #expect(
                try eventually(20) {
                    guard case .v2(let stats) = try cgroup.stats() else { return false }
                    snapshot = stats
                    return stats.cpu?.usageUsec ?? 0 > 0 && stats.memory?.file ?? 0 > 0
                }, "\(snapshot)")
            let memory = try #require(snapshot.memory)
            #expect(memory.usage > 0 && memory.usageLimit == UInt64.max, "\(memory)")
            #expect(memory.pgfault > 0)
            #expect(snapshot.pids?.current ?? 0 >= 1)
            #expect(snapshot.memoryEvents == CgroupV2Stats.MemoryEvents())
            #expect(snapshot.pressure?.cpu != nil && snapshot.pressure?.memory != nil && snapshot.pressure?.io != nil, "PSI")
            try cgroup.delete(killingProcesses: true)
        }

        @Test func freezeThawAndKill() throws {
            let box = try CgroupSandbox("unified-freeze")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path)
            let progress = NSTemporaryDirectory() + "unified-progress-\(getpid())"
            defer { unlink(progress) }
            let child = try box.start(["/bin/sh", "-c", "while :; do echo x >> \(progress); done"])
            try cgroup.addProcess(child.processIdentifier)
            #expect(eventually(10) { fileSize(progress) > 0 })
            try cgroup.freeze()
            #expect(try cgroup.freezerState() == .frozen)
            let frozenSize = fileSize(progress)
            usleep(500_000)
            #expect(fileSize(progress) == frozenSize)
            try cgroup.thaw()
            #expect(try cgroup.freezerState() == .thawed)
            #expect(eventually(10) { fileSize(progress) > frozenSize })
            try cgroup.kill()
            #expect(child.waitForExit(timeout: 10) == 137)
            #expect(try eventually(5) { try !cgroup.isPopulated() })
            try cgroup.delete()
        }

        @Test func oomKillsComeFromMemoryEvents() async throws {
            let box = try CgroupSandbox("unified-oom")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path)
            try cgroup.apply(CgroupResources(memory: .init(limit: 32 << 20, swap: 32 << 20)))
            let events = try cgroup.oomEvents()
            let collector = Task {
                var seen: [OOMEvent] = []
                for await event in events { seen.append(event) }
                return seen
            }
            // Joins the cgroup itself before it allocates: a hog that outgrows 32 MiB.
            let procs = cgroup.unifiedDirectory?.appending("cgroup.procs").string ?? ""
            let hog = try box.start(["/bin/sh", "-c", "echo $$ > \(procs) && exec tail /dev/zero"])
            #expect(hog.waitForExit(timeout: 60) == 137)
            let seen = try await withTimeout(seconds: 20) { await collector.value }
            #expect(seen.first?.newKills ?? 0 >= 1, "\(seen)")
            guard case .v2(let stats) = try cgroup.stats() else {
                Issue.record("expected v2 stats")
                return
            }
            #expect(stats.memoryEvents?.oomKill ?? 0 >= 1, "\(String(describing: stats.memoryEvents))")
            try cgroup.delete(killingProcesses: true)
        }

        /// The first block device's numbers (`/sys/block/*/dev`).
        static func blockDevice() -> (major: Int64, minor: Int64)? {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/block").sorted()) ?? [] where !name.hasPrefix("loop") {
                let text = (try? String(contentsOfFile: "/sys/block/\(name)/dev", encoding: .utf8)) ?? ""
                let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").compactMap { Int64($0) }
                if parts.count == 2 { return (parts[0], parts[1]) }
            }
            return nil
        }
    }
}
