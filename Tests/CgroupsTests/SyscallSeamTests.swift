import Cgroups
import LinuxSupport
import SystemPackage
import TestSupport
import Testing

extension CgroupsTests.FakeV2Memory {
    /// The shared layer's syscall seam (`SystemCall.injectFailures`) makes
    /// this thread's next calls fail, so the EINTR and errno paths of cgroup
    /// file reads and writes run without a kernel that misbehaves on cue.
    /// Synchronous tests: the injection belongs to the calling thread.
    @Suite struct SyscallSeam {
        @Test func interruptedReadsAndWritesAreRetried() throws {
            let fake = try FakeCgroup()
            SystemCall.injectFailures([.interrupted, .interrupted])
            #expect(try fake.cgroup.read("memory.max") == "max")
            SystemCall.injectFailures([.interrupted])
            try fake.cgroup.apply(CgroupResources(memory: .init(limit: 64 << 20)))
            #expect(try fake.cgroup.read("memory.max") == "\(64 << 20)")
        }

        @Test func refusedWritesAreReportedWithTheirErrno() throws {
            let fake = try FakeCgroup()
            SystemCall.injectFailures([.invalidArgument])
            #expect {
                try fake.cgroup.apply(CgroupResources(memory: .init(limit: 32 << 20)))
            } throws: { error in
                (error as? CgroupError)?.kind == .invalidValue && (error as? CgroupError)?.errno == .invalidArgument
            }
            SystemCall.injectFailures([.resourceBusy])
            #expect {
                try fake.cgroup.apply(CgroupResources(memory: .init(limit: 32 << 20)))
            } throws: { error in
                (error as? CgroupError)?.kind == .system && (error as? CgroupError)?.errno == .resourceBusy
            }
            SystemCall.injectFailures([.ioError])
            #expect(throws: CgroupError.self) { try fake.cgroup.read("memory.current") }
            SystemCall.injectFailures([])
            #expect(try fake.cgroup.read("memory.current") == "1048576", "nothing injected is left over")
        }
    }
}
