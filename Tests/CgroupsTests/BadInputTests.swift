import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

extension CgroupsTests {
    @Suite struct BadInput {
        func kind(_ body: () throws(CgroupError) -> Void) -> CgroupError? {
            do {
                try body()
                return nil
            } catch {
                return error
            }
        }

        @Test func nonexistentCgroupsAndProcesses() throws {
            let hierarchy = try CgroupHierarchy.current()
            let missing = kind { () throws(CgroupError) in _ = try Cgroup.load("/swift-cgroups-test-\(getpid())/never-made", in: hierarchy)
            }
            #expect(missing?.kind == .notFound)
            let noProcess = kind { () throws(CgroupError) in _ = try Cgroup.load(pid: 999_999_999, in: hierarchy) }
            #expect(noProcess?.kind == .notFound)
            #expect(noProcess?.description.contains("/proc/999999999/cgroup") == true, "\(String(describing: noProcess))")
            let dotDot = kind { () throws(CgroupError) in _ = try Cgroup.create("/a/../../etc", in: hierarchy) }
            #expect(dotDot?.kind == .invalidValue)
            let noRoot = kind { () throws(CgroupError) in _ = try CgroupMode.detect(root: "/nonexistent-cgroup-root") }
            #expect(noRoot?.kind == .notFound)
        }

        @Test func outOfRangeValuesAreRefusedBeforeAnyWrite() throws {
            let box = try CgroupSandbox("bad-values")
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: box.hierarchy)
            let before = try cgroup.read("memory.limit_in_bytes")
            let cases: [(CgroupResources, String)] = [
                (CgroupResources(memory: .init(limit: 64 << 20), cpu: .init(cpus: "0-63")), "beyond those present"),
                (CgroupResources(memory: .init(limit: -5)), "-1 (unlimited) or a byte count"),
                (CgroupResources(memory: .init(limit: 64 << 20, swap: 1 << 20)), "below the memory limit"),
                (CgroupResources(memory: .init(swappiness: 101)), "0…100"),
                (CgroupResources(cpu: .init(quota: 10)), "at least 1000"),
                (CgroupResources(cpu: .init(period: 5)), "1000…1000000"),
                (CgroupResources(cpu: .init(cpus: "1-x")), "not a list"),
                (CgroupResources(blockIO: .init(weight: 5000)), "10…1000"),
                (CgroupResources(hugepageLimits: [.init(pageSize: "3MB", limit: 1)]), "this host has"),
                (CgroupResources(devices: [.init(allow: true, type: "z")]), "a, b or c"),
            ]
            for (resources, message) in cases {
                let error = kind { () throws(CgroupError) in try cgroup.apply(resources) }
                #expect(error?.kind == .invalidValue, "\(resources)")
                #expect(error?.description.contains(message) == true, "\(String(describing: error))")
            }
            #expect(try cgroup.read("memory.limit_in_bytes") == before, "nothing was written")
            // The kernel's own refusal names the file, the value and the errno.
            let refused = kind { () throws(CgroupError) in
                try cgroup.apply(CgroupResources(cpu: .init(shares: 2, mems: "0"), unified: ["bogus.file": "1"]))
            }
            #expect(refused?.kind == .notFound || refused?.kind == .controllerUnavailable, "\(String(describing: refused))")
            #expect(refused?.description.contains("bogus.file") == true)
            try cgroup.delete()
        }

        @Test func unmountedController() throws {
            let current = try CgroupHierarchy.current()
            // A legacy host where only pids is mounted.
            let pidsOnly = CgroupHierarchy(mode: .legacy, v1Mounts: [.pids: try #require(current.v1Mounts[.pids])])
            let box = try CgroupSandbox("pids-only", hierarchy: pidsOnly)
            defer { box.close() }
            let cgroup = try Cgroup.create(box.path, in: pidsOnly)
            let memory = kind { () throws(CgroupError) in try cgroup.apply(CgroupResources(memory: .init(limit: 1 << 30))) }
            #expect(memory?.kind == .controllerUnavailable)
            #expect(memory?.description.contains("memory controller is not mounted") == true, "\(String(describing: memory))")
            let rdma = kind { () throws(CgroupError) in try cgroup.apply(CgroupResources(rdma: ["mlx5_0": .init(hcaHandles: 1)])) }
            #expect(rdma?.kind == .controllerUnavailable)
            let freeze = kind { () throws(CgroupError) in try cgroup.freeze() }
            #expect(freeze?.kind == .controllerUnavailable)
            let oom = kind { () throws(CgroupError) in _ = try cgroup.oomEvents() }
            #expect(oom?.kind == .controllerUnavailable)
            let unified = kind { () throws(CgroupError) in try cgroup.apply(CgroupResources(unified: ["memory.high": "1"])) }
            #expect(unified?.kind == .unsupported)
            // A kernel refusal: pids.max takes no words.
            let kernel = kind { () throws(CgroupError) in try cgroup.apply(CgroupResources(pids: .init(limit: 5))) }
            #expect(kernel == nil)
            try cgroup.delete()
        }
    }
}
