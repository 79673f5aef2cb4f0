/// A cgroup2 statistics snapshot. Types and field names follow containerd's
/// `io.containerd.cgroups.v2.Metrics` message one to one; a section is nil
/// when its controller is not enabled for the cgroup.
public struct CgroupV2Stats: Hashable, Sendable {
    public var pids: Pids?
    public var cpu: CPU?
    public var memory: Memory?
    public var rdma: CgroupV1Stats.Rdma?
    public var io: IO?
    public var hugetlb: [Hugetlb] = []
    public var memoryEvents: MemoryEvents?
    /// Pressure stall information; containerd 1.6's message has no field for it.
    public var pressure: Pressure?

    public init() {}

    public struct Pids: Hashable, Sendable {
        public var current: UInt64 = 0
        /// `pids.max`; `UInt64.max` when unlimited (`max`), as containerd's Go shim reports it.
        public var limit: UInt64 = 0
        public init() {}
    }

    /// `cpu.stat`, in µs.
    public struct CPU: Hashable, Sendable {
        public var usageUsec: UInt64 = 0
        public var userUsec: UInt64 = 0
        public var systemUsec: UInt64 = 0
        public var nrPeriods: UInt64 = 0
        public var nrThrottled: UInt64 = 0
        public var throttledUsec: UInt64 = 0
        public init() {}
    }

    /// `memory.stat`, plus `memory.current`/`max` and `memory.swap.current`/`max`
    /// (a `max` limit reads as `UInt64.max`, as containerd reports it).
    public struct Memory: Hashable, Sendable {
        public var anon: UInt64 = 0
        public var file: UInt64 = 0
        public var kernelStack: UInt64 = 0
        public var slab: UInt64 = 0
        public var sock: UInt64 = 0
        public var shmem: UInt64 = 0
        public var fileMapped: UInt64 = 0
        public var fileDirty: UInt64 = 0
        public var fileWriteback: UInt64 = 0
        public var anonThp: UInt64 = 0
        public var inactiveAnon: UInt64 = 0
        public var activeAnon: UInt64 = 0
        public var inactiveFile: UInt64 = 0
        public var activeFile: UInt64 = 0
        public var unevictable: UInt64 = 0
        public var slabReclaimable: UInt64 = 0
        public var slabUnreclaimable: UInt64 = 0
        public var pgfault: UInt64 = 0
        public var pgmajfault: UInt64 = 0
        public var workingsetRefault: UInt64 = 0
        public var workingsetActivate: UInt64 = 0
        public var workingsetNodereclaim: UInt64 = 0
        public var pgrefill: UInt64 = 0
        public var pgscan: UInt64 = 0
        public var pgsteal: UInt64 = 0
        public var pgactivate: UInt64 = 0
        public var pgdeactivate: UInt64 = 0
        public var pglazyfree: UInt64 = 0
        public var pglazyfreed: UInt64 = 0
        public var thpFaultAlloc: UInt64 = 0
        public var thpCollapseAlloc: UInt64 = 0
        public var usage: UInt64 = 0
        public var usageLimit: UInt64 = 0
        public var swapUsage: UInt64 = 0
        public var swapLimit: UInt64 = 0
        /// `memory.peak` where the kernel has it; no field in containerd's message.
        public var peak: UInt64?
        /// Every key of `memory.stat`.
        public var raw: [String: UInt64] = [:]
        public init() {}
    }

    /// `io.stat`, one entry per device.
    public struct IO: Hashable, Sendable {
        public var usage: [Entry] = []
        public init() {}

        public struct Entry: Hashable, Sendable {
            public var major: UInt64 = 0
            public var minor: UInt64 = 0
            public var rbytes: UInt64 = 0
            public var wbytes: UInt64 = 0
            public var rios: UInt64 = 0
            public var wios: UInt64 = 0
            public init() {}
        }
    }

    /// `hugetlb.<size>.current` and `.max` (the limit).
    public struct Hugetlb: Hashable, Sendable {
        public var current: UInt64 = 0
        public var max: UInt64 = 0
        public var pagesize: String = ""
        /// `hugetlb.<size>.events` `max`: allocations refused by the limit.
        public var failcnt: UInt64 = 0
        public init() {}
    }

    /// `memory.events`.
    public struct MemoryEvents: Hashable, Sendable {
        public var low: UInt64 = 0
        public var high: UInt64 = 0
        public var max: UInt64 = 0
        public var oom: UInt64 = 0
        public var oomKill: UInt64 = 0
        public init() {}
    }
}

/// A statistics snapshot of either version.
public enum CgroupStats: Hashable, Sendable {
    case v1(CgroupV1Stats)
    case v2(CgroupV2Stats)
}
