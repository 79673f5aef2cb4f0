import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

extension CgroupsTests {
    /// The real v1 controllers of this host (plus, in hybrid mode, the cgroup2 part).
    @Suite struct V1 {
        @Test func createAddStatsLoadDelete() throws {
            let box = try CgroupSandbox("lifecycle")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: box.hierarchy)
            #expect(cgroup.mode == .hybrid)
            #expect(cgroup.v1Directories[.memory] == FilePath("/sys/fs/cgroup/memory\(box.path)"))
            #expect(cgroup.unifiedDirectory == FilePath("/sys/fs/cgroup/unified\(box.path)"))
            // A new v1 cpuset starts empty; it got its parent's CPUs and nodes.
            #expect(
                try cgroup.read("cpuset.cpus")
                    == (try String(contentsOfFile: "/sys/fs/cgroup/cpuset/cpuset.cpus", encoding: .utf8)).trimmingCharacters(
                        in: .whitespacesAndNewlines))
            #expect(try cgroup.read("cpuset.mems").isEmpty == false)

            let child = try box.startSleeper()
            try cgroup.addProcess(child.processIdentifier)
            // The shell's `sleep` children forked after the move are members too.
            #expect(try cgroup.processes().contains(child.processIdentifier))
            #expect(try cgroup.threads().contains(child.processIdentifier))
            #expect(try cgroup.isPopulated())

            let loaded = try Cgroup.load(pid: child.processIdentifier, in: box.hierarchy)
            #expect(loaded.v1Directories[.memory] == cgroup.v1Directories[.memory])
            #expect(loaded.v1Directories[.pids] == cgroup.v1Directories[.pids])
            #expect(loaded.unifiedDirectory == cgroup.unifiedDirectory)
            #expect(try Cgroup.load(box.path, in: box.hierarchy) == cgroup)

            // The loop forks `sleep` every second, which is charged to the new cgroup.
            var stats = CgroupV1Stats()
            let charged = try eventually(10) {
                guard case .v1(let snapshot) = try cgroup.stats() else { return false }
                stats = snapshot
                return snapshot.memory?.usage.usage ?? 0 > 0 && snapshot.cpu?.usage.total ?? 0 > 0
            }
            #expect(charged, "memory \(String(describing: stats.memory?.usage)) cpu \(String(describing: stats.cpu?.usage))")
            #expect(stats.pids?.current ?? 0 >= 1)
            #expect(stats.cpu?.usage.perCpu.count == ProcessInfo.processInfo.activeProcessorCount)
            #expect(stats.memory?.raw["rss"] != nil, "memory.stat was read")
            #expect(stats.memoryOomControl?.oomKillDisable == 0)
            #expect(stats.hugetlb.contains { $0.pagesize == "2MB" }, "hugetlb comes from cgroup2 in hybrid mode")
            #expect(stats.pressure?.cpu != nil, "PSI from the unified directory")

            #expect(throws: CgroupError.self) { try cgroup.delete() }
            do {
                try cgroup.delete()
            } catch {
                #expect(error.kind == .busy)
            }
            try cgroup.delete(killingProcesses: true)
            #expect(child.waitForExit(timeout: 10) == 137)
            for directory in [cgroup.v1Directories[.memory], cgroup.unifiedDirectory].compactMap({ $0 }) {
                #expect(!FileManager.default.fileExists(atPath: directory.string))
            }
        }

        @Test func applyResourcesAndReadTheKernelsValuesBack() throws {
            let box = try CgroupSandbox("resources")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: box.hierarchy)
            let child = try box.startSleeper()
            try cgroup.addProcess(child.processIdentifier)
            let disk = try #require(Self.firstBlockDevice())
            var resources = CgroupResources(
                memory: .init(limit: 64 << 20, reservation: 32 << 20, swappiness: 10),
                cpu: .init(shares: 512, quota: 20_000, period: 100_000, cpus: "0", mems: "0"),
                pids: .init(limit: 42),
                blockIO: .init(throttleReadBpsDevice: [.init(major: disk.major, minor: disk.minor, rate: 1_048_576)]),
                hugepageLimits: [.init(pageSize: "2MB", limit: 4 << 21)],
                devices: [.init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm")])
            try cgroup.apply(resources)
            #expect(try cgroup.read("memory.limit_in_bytes") == "\(64 << 20)")
            #expect(try cgroup.read("memory.soft_limit_in_bytes") == "\(32 << 20)")
            #expect(try cgroup.read("memory.swappiness") == "10")
            #expect(try cgroup.read("cpu.shares") == "512")
            #expect(try cgroup.read("cpu.cfs_quota_us") == "20000")
            #expect(try cgroup.read("cpu.cfs_period_us") == "100000")
            #expect(try cgroup.read("cpuset.cpus") == "0")
            #expect(try cgroup.read("pids.max") == "42")
            #expect(try cgroup.read("blkio.throttle.read_bps_device") == "\(disk.major):\(disk.minor) 1048576")
            #expect(try cgroup.read("devices.list") == "c 1:3 rwm")
            let hugetlbMax = try String(contentsOfFile: "\(cgroup.unifiedDirectory?.string ?? "")/hugetlb.2MB.max", encoding: .utf8)
            #expect(hugetlbMax.trimmingCharacters(in: .whitespacesAndNewlines) == "\(4 << 21)")

            guard case .v1(let stats) = try cgroup.stats() else { Issue.record("expected v1 stats"); return }
            #expect(stats.memory?.usage.limit == 64 << 20)
            #expect(stats.pids?.limit == 42)
            #expect(stats.hugetlb.first { $0.pagesize == "2MB" } != nil)

            // An update: raise the limit, lift the pids limit, drop the quota.
            resources = CgroupResources(memory: .init(limit: 128 << 20), cpu: .init(quota: -1), pids: .init(limit: 0))
            try cgroup.apply(resources)
            #expect(try cgroup.read("memory.limit_in_bytes") == "\(128 << 20)")
            #expect(try cgroup.read("pids.max") == "max")
            #expect(try cgroup.read("cpu.cfs_quota_us") == "-1")
            try cgroup.delete(killingProcesses: true)
        }

        @Test func freezeStopsProgressAndThawResumesIt() throws {
            let box = try CgroupSandbox("freezer")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: box.hierarchy)
            let progress = NSTemporaryDirectory() + "cgroups-progress-\(getpid())"
            defer { unlink(progress) }
            let child = try box.start(["/bin/sh", "-c", "while :; do echo x >> \(progress); done"])
            try cgroup.addProcess(child.processIdentifier)
            #expect(eventually(5) { fileSize(progress) > 0 })

            try cgroup.freeze()
            #expect(try cgroup.freezerState() == .frozen)
            let frozenSize = fileSize(progress)
            usleep(300_000)
            #expect(fileSize(progress) == frozenSize, "a frozen process makes no progress")

            try cgroup.thaw()
            #expect(try cgroup.freezerState() == .thawed)
            #expect(eventually(5) { fileSize(progress) > frozenSize }, "a thawed process runs again")
            try cgroup.delete(killingProcesses: true)
        }

        /// Legacy only (no cgroup2 part), so kill takes the freeze-and-signal path.
        @Test func killWithoutCgroupKill() throws {
            let current = try CgroupHierarchy.current()
            let legacy = CgroupHierarchy(mode: .legacy, v1Mounts: current.v1Mounts, v1MountRoots: current.v1MountRoots)
            let box = try CgroupSandbox("kill-v1", hierarchy: legacy)
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: legacy)
            #expect(cgroup.unifiedDirectory == nil)
            let children = try (0..<3).map { _ in try box.startSleeper() }
            for child in children { try cgroup.addProcess(child.processIdentifier) }
            #expect(Set(children.map(\.processIdentifier)).isSubset(of: try cgroup.processes()))
            try cgroup.kill()
            #expect(try cgroup.processes().isEmpty)
            for child in children { #expect(child.waitForExit(timeout: 10) == 137) }
            try cgroup.delete()
            #expect(throws: CgroupError.self) { try Cgroup.load(box.path, in: legacy) }
        }

        static func firstBlockDevice() -> (major: Int64, minor: Int64)? {
            guard let text = try? String(contentsOfFile: "/proc/partitions", encoding: .utf8) else { return nil }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // A whole disk (minor 0), not a partition or a ram disk.
                if fields.count == 4, let major = Int64(fields[0]), let minor = Int64(fields[1]), minor == 0, !fields[3].hasPrefix("ram"),
                    !fields[3].hasPrefix("loop")
                {
                    return (major, minor)
                }
            }
            return nil
        }
    }
}
