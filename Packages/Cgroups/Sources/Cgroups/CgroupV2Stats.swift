/// A cgroup2 statistics snapshot. Types and field names follow containerd's
/// `io.containerd.cgroups.v2.Metrics` message one to one; a section is nil
/// when its controller is not enabled for the cgroup.
public struct CgroupV2Stats: Hashable, Sendable {
    /// Task count and limit (`pids.current`, `pids.max`).
    public var pids: Pids?
    /// CPU time and throttling (`cpu.stat`).
    public var cpu: CPU?
    /// Memory usage and counters (`memory.*`).
    public var memory: Memory?
    /// RDMA usage and limits per device (`rdma.current`, `rdma.max`).
    public var rdma: CgroupV1Stats.Rdma?
    /// Block I/O per device (`io.stat`).
    public var io: IO?
    /// Huge page usage, one entry per page size (`hugetlb.<size>.*`).
    public var hugetlb: [Hugetlb] = []
    /// Memory limit events (`memory.events`).
    public var memoryEvents: MemoryEvents?
    /// Pressure stall information; containerd 1.6's message has no field for it.
    public var pressure: Pressure?

    /// An empty snapshot; ``Cgroup/stats()`` returns filled ones.
    public init() {}

    /// The `pids` controller's counters.
    public struct Pids: Hashable, Sendable {
        /// Tasks in the cgroup now (`pids.current`).
        public var current: UInt64 = 0
        /// `pids.max`; `UInt64.max` when unlimited (`max`), as containerd's Go shim reports it.
        public var limit: UInt64 = 0
        /// An empty entry.
        public init() {}
    }

    /// `cpu.stat`, in µs.
    public struct CPU: Hashable, Sendable {
        /// `usage_usec`: all CPU time.
        public var usageUsec: UInt64 = 0
        /// `user_usec`: time in user mode.
        public var userUsec: UInt64 = 0
        /// `system_usec`: time in kernel mode.
        public var systemUsec: UInt64 = 0
        /// `nr_periods`: enforcement periods elapsed.
        public var nrPeriods: UInt64 = 0
        /// `nr_throttled`: periods in which the quota ran out.
        public var nrThrottled: UInt64 = 0
        /// `throttled_usec`: time spent throttled.
        public var throttledUsec: UInt64 = 0
        /// An empty entry.
        public init() {}
    }

    /// `memory.stat`, plus `memory.current`/`max` and `memory.swap.current`/`max`
    /// (a `max` limit reads as `UInt64.max`, as containerd reports it).
    public struct Memory: Hashable, Sendable {
        /// `memory.stat` `anon`: anonymous memory, in bytes.
        public var anon: UInt64 = 0
        /// `memory.stat` `file`: page cache, in bytes.
        public var file: UInt64 = 0
        /// `memory.stat` `kernel_stack`: kernel stacks, in bytes.
        public var kernelStack: UInt64 = 0
        /// `memory.stat` `slab`: kernel slab memory, in bytes.
        public var slab: UInt64 = 0
        /// `memory.stat` `sock`: network buffers, in bytes.
        public var sock: UInt64 = 0
        /// `memory.stat` `shmem`: shared memory and tmpfs, in bytes.
        public var shmem: UInt64 = 0
        /// `memory.stat` `file_mapped`: memory-mapped file pages, in bytes.
        public var fileMapped: UInt64 = 0
        /// `memory.stat` `file_dirty`: pages waiting to be written back, in bytes.
        public var fileDirty: UInt64 = 0
        /// `memory.stat` `file_writeback`: pages being written back, in bytes.
        public var fileWriteback: UInt64 = 0
        /// `memory.stat` `anon_thp`: anonymous transparent huge pages, in bytes.
        public var anonThp: UInt64 = 0
        /// `memory.stat` `inactive_anon`: anonymous memory on the inactive LRU list, in bytes.
        public var inactiveAnon: UInt64 = 0
        /// `memory.stat` `active_anon`: anonymous memory on the active LRU list, in bytes.
        public var activeAnon: UInt64 = 0
        /// `memory.stat` `inactive_file`: file-backed memory on the inactive LRU list, in bytes.
        public var inactiveFile: UInt64 = 0
        /// `memory.stat` `active_file`: file-backed memory on the active LRU list, in bytes.
        public var activeFile: UInt64 = 0
        /// `memory.stat` `unevictable`: memory that cannot be reclaimed, in bytes.
        public var unevictable: UInt64 = 0
        /// `memory.stat` `slab_reclaimable`: reclaimable slab memory, in bytes.
        public var slabReclaimable: UInt64 = 0
        /// `memory.stat` `slab_unreclaimable`: slab memory that cannot be reclaimed, in bytes.
        public var slabUnreclaimable: UInt64 = 0
        /// `memory.stat` `pgfault`: page faults.
        public var pgfault: UInt64 = 0
        /// `memory.stat` `pgmajfault`: major page faults.
        public var pgmajfault: UInt64 = 0
        /// `memory.stat` `workingset_refault`: refaults of evicted pages.
        public var workingsetRefault: UInt64 = 0
        /// `memory.stat` `workingset_activate`: refaulted pages activated at once.
        public var workingsetActivate: UInt64 = 0
        /// `memory.stat` `workingset_nodereclaim`: shadow nodes reclaimed.
        public var workingsetNodereclaim: UInt64 = 0
        /// `memory.stat` `pgrefill`: pages scanned on the active list.
        public var pgrefill: UInt64 = 0
        /// `memory.stat` `pgscan`: pages scanned on the inactive list.
        public var pgscan: UInt64 = 0
        /// `memory.stat` `pgsteal`: pages reclaimed.
        public var pgsteal: UInt64 = 0
        /// `memory.stat` `pgactivate`: pages moved to the active list.
        public var pgactivate: UInt64 = 0
        /// `memory.stat` `pgdeactivate`: pages moved to the inactive list.
        public var pgdeactivate: UInt64 = 0
        /// `memory.stat` `pglazyfree`: pages postponed for freeing under pressure.
        public var pglazyfree: UInt64 = 0
        /// `memory.stat` `pglazyfreed`: lazily freed pages reclaimed.
        public var pglazyfreed: UInt64 = 0
        /// `memory.stat` `thp_fault_alloc`: transparent huge pages allocated on a fault.
        public var thpFaultAlloc: UInt64 = 0
        /// `memory.stat` `thp_collapse_alloc`: transparent huge pages allocated by collapsing pages.
        public var thpCollapseAlloc: UInt64 = 0
        /// `memory.current`: bytes in use.
        public var usage: UInt64 = 0
        /// `memory.max`: the limit in bytes.
        public var usageLimit: UInt64 = 0
        /// `memory.swap.current`: swap in use, in bytes.
        public var swapUsage: UInt64 = 0
        /// `memory.swap.max`: the swap limit in bytes.
        public var swapLimit: UInt64 = 0
        /// `memory.peak` where the kernel has it; no field in containerd's message.
        public var peak: UInt64?
        /// Every key of `memory.stat`.
        public var raw: [String: UInt64] = [:]
        /// An empty entry.
        public init() {}
    }

    /// `io.stat`, one entry per device.
    public struct IO: Hashable, Sendable {
        /// One entry per device with I/O.
        public var usage: [Entry] = []
        /// An empty entry.
        public init() {}

        /// One device's line of `io.stat`.
        public struct Entry: Hashable, Sendable {
            /// The device's major number.
            public var major: UInt64 = 0
            /// The device's minor number.
            public var minor: UInt64 = 0
            /// Bytes read (`rbytes`).
            public var rbytes: UInt64 = 0
            /// Bytes written (`wbytes`).
            public var wbytes: UInt64 = 0
            /// Read operations (`rios`).
            public var rios: UInt64 = 0
            /// Write operations (`wios`).
            public var wios: UInt64 = 0
            /// An empty entry.
            public init() {}
        }
    }

    /// `hugetlb.<size>.current` and `.max` (the limit).
    public struct Hugetlb: Hashable, Sendable {
        /// Bytes in use (`hugetlb.<size>.current`).
        public var current: UInt64 = 0
        /// The limit in bytes (`hugetlb.<size>.max`).
        public var max: UInt64 = 0
        /// The page size as the kernel names it (`2MB`).
        public var pagesize: String = ""
        /// `hugetlb.<size>.events` `max`: allocations refused by the limit.
        public var failcnt: UInt64 = 0
        /// An empty entry.
        public init() {}
    }

    /// `memory.events`.
    public struct MemoryEvents: Hashable, Sendable {
        /// `low`: times usage fell below `memory.low` protection and was reclaimed anyway.
        public var low: UInt64 = 0
        /// `high`: times usage passed `memory.high` and was throttled.
        public var high: UInt64 = 0
        /// `max`: times usage reached `memory.max`.
        public var max: UInt64 = 0
        /// `oom`: times the cgroup ran out of memory.
        public var oom: UInt64 = 0
        /// `oom_kill`: processes the OOM killer killed.
        public var oomKill: UInt64 = 0
        /// An empty entry.
        public init() {}
    }
}

/// A statistics snapshot of either version.
public enum CgroupStats: Hashable, Sendable {
    /// A legacy or hybrid cgroup's statistics.
    case v1(CgroupV1Stats)
    /// A unified cgroup's statistics.
    case v2(CgroupV2Stats)
}
