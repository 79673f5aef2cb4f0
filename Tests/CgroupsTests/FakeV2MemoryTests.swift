import Cgroups
import Foundation
import SystemPackage
import TestSupport
import Testing

extension CgroupsTests {
    /// FAKE cgroup2 directory: this machine's cgroup2 hierarchy has no memory,
    /// cpu, pids or io controller, so their v2 logic (stats parsing, limit
    /// writing and conversions, OOM watching of memory.events) runs against
    /// ordinary files in a temporary directory that the test writes the way
    /// the kernel would. Real-kernel behaviour of those files is not proven here.
    @Suite struct FakeV2Memory {
        final class FakeCgroup: @unchecked Sendable {
            let root: TemporaryDirectory
            let directory: String
            let cgroup: Cgroup

            init() throws {
                root = try TemporaryDirectory(prefix: "fake-cgroup2")
                directory = root.file("pod/box")
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let files: [String: String] = [
                    "cgroup.procs": "", "cgroup.events": "populated 1\nfrozen 0\n", "cgroup.freeze": "0\n",
                    "memory.current": "1048576\n", "memory.max": "max\n", "memory.high": "max\n", "memory.low": "0\n",
                    "memory.swap.current": "4096\n",
                    "memory.swap.max": "max\n", "memory.peak": "2097152\n",
                    "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
                    "memory.stat": "anon 524288\nfile 262144\nkernel_stack 16384\nslab 8192\nsock 0\nshmem 4096\nfile_mapped 2048\n"
                        + "file_dirty 1024\nfile_writeback 512\nanon_thp 0\ninactive_anon 100\nactive_anon 200\ninactive_file 300\n"
                        + "active_file 400\nunevictable 0\nslab_reclaimable 4096\nslab_unreclaimable 4096\npgfault 1234\npgmajfault 5\n"
                        + "workingset_refault_anon 1\nworkingset_refault_file 7\nworkingset_activate_file 3\n"
                        + "workingset_nodereclaim 0\npgrefill 1\npgscan 2\npgsteal 3\npgactivate 4\npgdeactivate 5\npglazyfree 6\n"
                        + "pglazyfreed 7\nthp_fault_alloc 8\nthp_collapse_alloc 9\n",
                    "cpu.stat": "usage_usec 5000\nuser_usec 3000\nsystem_usec 2000\nnr_periods 10\nnr_throttled 2\nthrottled_usec 700\n",
                    "cpu.max": "max 100000\n", "cpu.weight": "100\n", "cpu.max.burst": "0\n",
                    "pids.current": "3\n", "pids.max": "max\n",
                    "io.stat": "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n", "io.weight": "default 100\n", "io.max": "",
                    "cpu.pressure": "some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=42\n",
                    "memory.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
                ]
                for (name, contents) in files { try contents.write(toFile: "\(directory)/\(name)", atomically: false, encoding: .utf8) }
                cgroup = try Cgroup.load("/pod/box", in: .unified(at: FilePath(root.path)))
            }

            func write(_ name: String, _ contents: String) throws {
                // In place, as the kernel changes a file: inotify sees a modification.
                let handle = try #require(FileHandle(forWritingAtPath: "\(directory)/\(name)"))
                try handle.truncate(atOffset: 0)
                try handle.write(contentsOf: Data(contents.utf8))
                try handle.close()
            }

            func read(_ name: String) throws -> String {
                try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            }
        }

        @Test func statsMapEveryFile() throws {
            let fake = try FakeCgroup()
            defer { fake.root.remove() }
            guard case .v2(let stats) = try fake.cgroup.stats() else { Issue.record("expected v2"); return }
            let memory = try #require(stats.memory)
            #expect(memory.anon == 524_288 && memory.file == 262_144 && memory.kernelStack == 16_384 && memory.shmem == 4096)
            #expect(memory.pgfault == 1234 && memory.pgmajfault == 5 && memory.thpCollapseAlloc == 9)
            #expect(memory.workingsetRefault == 7 && memory.workingsetActivate == 3, "file counters on kernels that split them")
            #expect(
                memory.usage == 1_048_576 && memory.usageLimit == UInt64.max && memory.swapUsage == 4096 && memory.swapLimit == UInt64.max)
            #expect(memory.peak == 2_097_152)
            #expect(stats.cpu?.usageUsec == 5000 && stats.cpu?.userUsec == 3000 && stats.cpu?.systemUsec == 2000)
            #expect(stats.cpu?.nrPeriods == 10 && stats.cpu?.nrThrottled == 2 && stats.cpu?.throttledUsec == 700)
            #expect(stats.pids?.current == 3 && stats.pids?.limit == UInt64.max, "max reads as the Go shim reports it")
            let io = try #require(stats.io?.usage.first)
            #expect(io.major == 254 && io.minor == 0 && io.rbytes == 4096 && io.wbytes == 8192 && io.rios == 1 && io.wios == 2)
            #expect(stats.memoryEvents == CgroupV2Stats.MemoryEvents())
            #expect(
                stats.pressure?.cpu?.some.avg10 == 1.5 && stats.pressure?.cpu?.some.total == 12_345 && stats.pressure?.cpu?.full.total == 42
            )
        }

        @Test func limitsAreWrittenWithTheV2Conversions() throws {
            let fake = try FakeCgroup()
            defer { fake.root.remove() }
            try fake.cgroup.apply(
                CgroupResources(
                    memory: .init(limit: 64 << 20, reservation: 16 << 20, swap: 96 << 20, kernel: 1 << 20, swappiness: 60),
                    cpu: .init(shares: 1024, quota: 50_000),
                    pids: .init(limit: 100),
                    blockIO: .init(weight: 500, throttleWriteBpsDevice: [.init(major: 254, minor: 0, rate: 1000)]),
                    unified: ["memory.high": "\(48 << 20)"]))
            #expect(try fake.read("memory.max") == "\(64 << 20)")
            #expect(try fake.read("memory.low") == "\(16 << 20)")
            #expect(try fake.read("memory.swap.max") == "\(32 << 20)", "swap is memory+swap minus memory")
            #expect(try fake.read("cpu.weight") == "39", "1024 shares")
            #expect(try fake.read("cpu.max") == "50000 100000", "the period kept from cpu.max")
            #expect(try fake.read("pids.max") == "100")
            #expect(try fake.read("io.weight") == "default 4950")
            #expect(try fake.read("io.max") == "254:0 wbps=1000")
            #expect(try fake.read("memory.high") == "\(48 << 20)")

            try fake.cgroup.apply(CgroupResources(memory: .init(limit: -1), cpu: .init(quota: -1, period: 200_000)))
            #expect(try fake.read("memory.max") == "max")
            #expect(try fake.read("memory.swap.max") == "max", "unlimited memory with no swap given makes swap unlimited")
            #expect(try fake.read("cpu.max") == "max 200000")

            do {
                try fake.cgroup.apply(CgroupResources(devices: [.init(allow: false)]))
                Issue.record("v2 device rules were accepted")
            } catch {
                #expect(error.kind == .unsupported)
            }
            do {
                try fake.cgroup.apply(CgroupResources(unified: ["../escape": "1"]))
                Issue.record("a unified key with a slash was accepted")
            } catch {
                #expect(error.kind == .invalidValue)
            }
        }

        @Test func oomKillsInMemoryEventsAreReportedUntilTheCgroupEmpties() async throws {
            let fake = try FakeCgroup()
            defer { fake.root.remove() }
            let events = try fake.cgroup.oomEvents()
            let collector = Task {
                var seen: [OOMEvent] = []
                for await event in events { seen.append(event) }
                return seen
            }
            try await Task.sleep(for: .milliseconds(100))
            // An `oom` without a kill is not an OOM kill.
            try fake.write("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
            try await Task.sleep(for: .milliseconds(100))
            try fake.write("memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n")
            try await Task.sleep(for: .milliseconds(100))
            try fake.write("memory.events", "low 0\nhigh 0\nmax 9\noom 4\noom_kill 3\n")
            try await Task.sleep(for: .milliseconds(100))
            try fake.write("cgroup.events", "populated 0\nfrozen 0\n")
            let seen = try await withTimeout(seconds: 10) { await collector.value }
            #expect(seen == [OOMEvent(oomKills: 1, newKills: 1), OOMEvent(oomKills: 3, newKills: 2)])
        }

        @Test func freezeWaitsForFrozenInCgroupEvents() async throws {
            let fake = try FakeCgroup()
            defer { fake.root.remove() }
            // Play the kernel: report frozen a little after cgroup.freeze is
            // written. On a thread of its own: freeze() blocks this one while
            // it waits, and the concurrency pool may have no thread to spare.
            let kernelDone = DispatchSemaphore(value: 0)
            let kernel = Thread {
                defer { kernelDone.signal() }
                for _ in 0..<400 {
                    if (try? fake.read("cgroup.freeze"))?.hasPrefix("1") == true {
                        usleep(50_000)
                        try? fake.write("cgroup.events", "populated 1\nfrozen 1\n")
                        return
                    }
                    usleep(5_000)
                }
            }
            kernel.start()
            try fake.cgroup.freeze()
            #expect(try fake.cgroup.freezerState() == .frozen)
            kernelDone.wait()
            do {
                try fake.cgroup.thaw(timeout: .milliseconds(200))
                Issue.record("thaw returned though cgroup.events still says frozen")
            } catch {
                #expect(error.kind == .timeout)
            }
        }
    }
}

/// The value of `body`, or a failure after `seconds`.
func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw CancellationError() }
        return value
    }
}
