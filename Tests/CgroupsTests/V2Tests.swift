import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

extension CgroupsTests {
    /// The real cgroup2 hierarchy at /sys/fs/cgroup/unified, used as a unified
    /// host would use it. Only hugetlb is available there; core files
    /// (cgroup.freeze, cgroup.kill, cpu.stat, PSI) exist in every cgroup.
    @Suite struct V2 {
        static let hierarchy = CgroupHierarchy.unified(at: "/sys/fs/cgroup/unified")

        @Test func createAddStatsHugetlbKillDelete() throws {
            let box = try CgroupSandbox("v2", hierarchy: Self.hierarchy)
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: Self.hierarchy)
            #expect(cgroup.v1Directories.isEmpty)
            let directory = try #require(cgroup.unifiedDirectory)
            #expect(
                FileManager.default.fileExists(atPath: directory.appending("hugetlb.2MB.max").string), "hugetlb enabled for the new cgroup")

            let children = try (0..<2).map { _ in try box.startSleeper() }
            for child in children { try cgroup.addProcess(child.processIdentifier) }
            // The shells' `sleep` children forked after the move are members too.
            #expect(Set(children.map(\.processIdentifier)).isSubset(of: try cgroup.processes()))
            #expect(try cgroup.isPopulated())
            #expect(try Cgroup.load(pid: children[0].processIdentifier, in: Self.hierarchy).unifiedDirectory == directory)

            try cgroup.apply(CgroupResources(hugepageLimits: [.init(pageSize: "2MB", limit: 2 << 21)]))
            #expect(try cgroup.read("hugetlb.2MB.max") == "\(2 << 21)")
            // No memory controller on this cgroup2 hierarchy: a clear error, nothing written.
            do {
                try cgroup.apply(CgroupResources(memory: .init(limit: 64 << 20)))
                Issue.record("memory applied without a memory controller")
            } catch {
                #expect(error.kind == .controllerUnavailable)
                #expect(error.description.contains("memory.max"), "\(error)")
            }

            var snapshot = CgroupV2Stats()
            #expect(
                try eventually(10) {
                    guard case .v2(let stats) = try cgroup.stats() else { return false }
                    snapshot = stats
                    return stats.cpu?.usageUsec ?? 0 > 0
                })
            #expect(snapshot.hugetlb.first { $0.pagesize == "2MB" }?.max == 2 << 21)
            #expect(snapshot.memory == nil && snapshot.pids == nil, "controllers absent here stay nil")
            #expect(snapshot.pressure?.cpu != nil)

            try cgroup.kill()
            #expect(try cgroup.processes().isEmpty)
            for child in children { #expect(child.waitForExit(timeout: 10) == 137) }
            #expect(try eventually(5) { try !cgroup.isPopulated() })
            try cgroup.delete()
            #expect(!FileManager.default.fileExists(atPath: directory.string))
        }

        @Test func freezeThroughCgroupFreeze() throws {
            let box = try CgroupSandbox("v2-freeze", hierarchy: Self.hierarchy)
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: Self.hierarchy)
            let progress = NSTemporaryDirectory() + "cgroups-v2-progress-\(getpid())"
            defer { unlink(progress) }
            let child = try box.start(["/bin/sh", "-c", "while :; do echo x >> \(progress); done"])
            try cgroup.addProcess(child.processIdentifier)
            #expect(eventually(5) { fileSize(progress) > 0 })
            try cgroup.freeze()
            #expect(try cgroup.freezerState() == .frozen)
            #expect(try cgroup.read("cgroup.events").isEmpty == false)
            let frozenSize = fileSize(progress)
            usleep(300_000)
            #expect(fileSize(progress) == frozenSize)
            try cgroup.thaw()
            #expect(try cgroup.freezerState() == .thawed)
            #expect(eventually(5) { fileSize(progress) > frozenSize })
            // A frozen cgroup can still be killed and removed.
            try cgroup.freeze()
            try cgroup.delete(killingProcesses: true)
            #expect(child.waitForExit(timeout: 10) == 137)
        }
    }
}
