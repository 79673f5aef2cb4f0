import Cgroups
import SystemPackage
import Testing

extension CgroupsTests {
    @Suite struct Hierarchy {
        @Test func detectsThisHostsModeAndMounts() throws {
            let mode = try CgroupMode.detect()
            let hierarchy = try CgroupHierarchy.current()
            #expect(hierarchy.mode == mode)
            // This machine kind: v1 controllers plus cgroup2 at /sys/fs/cgroup/unified.
            #expect(mode == .hybrid)
            #expect(hierarchy.unifiedMount == "/sys/fs/cgroup/unified")
            #expect(hierarchy.v1Mounts[.memory] == "/sys/fs/cgroup/memory")
            #expect(hierarchy.v1Mounts[.systemd] == "/sys/fs/cgroup/systemd")
            #expect(hierarchy.unifiedControllers().contains(.hugetlb))
        }

        @Test func parsesMountinfoShapes() {
            let text = """
                30 25 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755
                31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate
                33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw shared:12 - cgroup cgroup rw,cpu,cpuacct
                34 30 0:30 /kubepods /sys/fs/cgroup/memory rw shared:13 - cgroup cgroup rw,memory
                35 30 0:31 / /sys/fs/cgroup/sys\\040tem rw shared:14 - cgroup cgroup rw,xattr,name=systemd
                36 25 0:40 / /proc rw - proc proc rw
                """
            let hierarchy = CgroupHierarchy.parse(mountinfo: text)
            #expect(hierarchy.mode == .hybrid)
            #expect(hierarchy.unifiedMount == "/sys/fs/cgroup/unified")
            #expect(hierarchy.v1Mounts[.cpu] == "/sys/fs/cgroup/cpu,cpuacct")
            #expect(hierarchy.v1Mounts[.cpuacct] == "/sys/fs/cgroup/cpu,cpuacct")
            #expect(hierarchy.v1MountRoots[.memory] == "/kubepods")
            #expect(hierarchy.v1Mounts[.systemd] == "/sys/fs/cgroup/sys tem", "octal escapes are decoded")
            #expect(hierarchy.v1Mounts[Controller("xattr")] == nil)
            #expect(CgroupHierarchy.parse(mountinfo: "1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw").mode == .unified)
            #expect(CgroupHierarchy.parse(mountinfo: "1 0 0:1 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids").mode == .legacy)
        }

        @Test func parsesProcCgroup() {
            let membership = ProcessCgroups.parse("12:cpu,cpuacct:/a/b\n4:memory:/m\n1:name=systemd:/s\n0::/unified/path\n")
            #expect(membership.v1[.cpu] == "/a/b" && membership.v1[.cpuacct] == "/a/b")
            #expect(membership.v1[.memory] == "/m")
            #expect(membership.v1[.systemd] == "/s")
            #expect(membership.unified == "/unified/path")
        }

        @Test func conversionsFollowRunc() throws {
            #expect(ResourceConversion.cpuWeight(fromShares: 2) == 1)
            #expect(ResourceConversion.cpuWeight(fromShares: 1024) == 39)
            #expect(ResourceConversion.cpuWeight(fromShares: 262_144) == 10_000)
            #expect(ResourceConversion.cpuWeight(fromShares: 0) == nil)
            #expect(ResourceConversion.ioWeight(fromBlkioWeight: 10) == 1)
            #expect(ResourceConversion.ioWeight(fromBlkioWeight: 1000) == 10_000)
            #expect(ResourceConversion.ioWeight(fromBlkioWeight: 500) == 4950)
            #expect(try ResourceConversion.swapMax(swap: 200, limit: 100) == "100")
            #expect(try ResourceConversion.swapMax(swap: -1, limit: 100) == "max")
            #expect(try ResourceConversion.swapMax(swap: nil, limit: -1) == "max")
            #expect(try ResourceConversion.swapMax(swap: 0, limit: 100) == nil)
            #expect(throws: CgroupError.self) { try ResourceConversion.swapMax(swap: 50, limit: 100) }
            #expect(throws: CgroupError.self) { try ResourceConversion.swapMax(swap: 50, limit: nil) }
        }
    }
}
