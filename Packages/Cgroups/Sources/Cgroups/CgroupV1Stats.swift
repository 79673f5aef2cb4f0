/// A v1 (and hybrid) statistics snapshot. Types and field names follow
/// containerd's `io.containerd.cgroups.v1.Metrics` message one to one, so a
/// shim copies them field by field; a section is nil when its controller is
/// not mounted for the cgroup.
public struct CgroupV1Stats: Hashable, Sendable {
    /// Huge page usage, one entry per page size (`hugetlb.<size>.*`).
    public var hugetlb: [Hugetlb] = []
    /// Task count and limit (`pids.current`, `pids.max`).
    public var pids: Pids?
    /// CPU time and throttling (`cpuacct.*`, `cpu.stat`).
    public var cpu: CPU?
    /// Memory usage and counters (`memory.*`).
    public var memory: Memory?
    /// Block I/O counters per device (`blkio.*_recursive`).
    public var blkio: BlkIO?
    /// RDMA usage and limits per device (`rdma.current`, `rdma.max`).
    public var rdma: Rdma?
    /// OOM state and kill count (`memory.oom_control`).
    public var memoryOomControl: MemoryOomControl?
    /// Pressure stall information, when the kernel offers it for this cgroup
    /// (cgroup2 `*.pressure` files; in hybrid mode from the unified directory).
    /// containerd's v1 message has no field for it.
    public var pressure: Pressure?

    /// An empty snapshot; ``Cgroup/stats()`` returns filled ones.
    public init() {}

    /// Huge page accounting for one page size.
    public struct Hugetlb: Hashable, Sendable {
        /// Bytes in use (`hugetlb.<size>.usage_in_bytes`).
        public var usage: UInt64 = 0
        /// Peak usage (`max_usage_in_bytes`), as containerd fills it.
        public var max: UInt64 = 0
        /// Allocations refused by the limit (`hugetlb.<size>.failcnt`).
        public var failcnt: UInt64 = 0
        /// The page size as the kernel names it (`2MB`).
        public var pagesize: String = ""
        /// An empty entry.
        public init() {}
    }

    /// The `pids` controller's counters.
    public struct Pids: Hashable, Sendable {
        /// Tasks in the cgroup now (`pids.current`).
        public var current: UInt64 = 0
        /// 0 when unlimited, as containerd reports `max`.
        public var limit: UInt64 = 0
        /// An empty entry.
        public init() {}
    }

    /// CPU accounting and CFS throttling.
    public struct CPU: Hashable, Sendable {
        /// CPU time used.
        public var usage = Usage()
        /// How often and how long the quota throttled the cgroup.
        public var throttling = Throttle()
        /// An empty entry.
        public init() {}

        /// Nanoseconds: `cpuacct.usage`, `cpuacct.stat` (ticks scaled), `cpuacct.usage_percpu`.
        public struct Usage: Hashable, Sendable {
            /// All CPU time (`cpuacct.usage`).
            public var total: UInt64 = 0
            /// Time in kernel mode (`cpuacct.stat` `system`).
            public var kernel: UInt64 = 0
            /// Time in user mode (`cpuacct.stat` `user`).
            public var user: UInt64 = 0
            /// Time on each CPU (`cpuacct.usage_percpu`).
            public var perCpu: [UInt64] = []
            /// An empty entry.
            public init() {}
        }

        /// `cpu.stat`.
        public struct Throttle: Hashable, Sendable {
            /// Enforcement periods elapsed (`nr_periods`).
            public var periods: UInt64 = 0
            /// Periods in which the quota ran out (`nr_throttled`).
            public var throttledPeriods: UInt64 = 0
            /// Nanoseconds spent throttled (`throttled_time`).
            public var throttledTime: UInt64 = 0
            /// An empty entry.
            public init() {}
        }
    }

    /// `memory.stat` (own and `total_` hierarchical counters) and the usage files.
    public struct Memory: Hashable, Sendable {
        /// `memory.stat` `cache`: page cache, in bytes.
        public var cache: UInt64 = 0
        /// `memory.stat` `rss`: anonymous and swap cache memory, in bytes.
        public var rss: UInt64 = 0
        /// `memory.stat` `rss_huge`: anonymous transparent huge pages, in bytes.
        public var rssHuge: UInt64 = 0
        /// `memory.stat` `mapped_file`: memory-mapped file pages, in bytes.
        public var mappedFile: UInt64 = 0
        /// `memory.stat` `dirty`: pages waiting to be written back, in bytes.
        public var dirty: UInt64 = 0
        /// `memory.stat` `writeback`: pages being written back, in bytes.
        public var writeback: UInt64 = 0
        /// `memory.stat` `pgpgin`: pages charged to the cgroup.
        public var pgPgIn: UInt64 = 0
        /// `memory.stat` `pgpgout`: pages uncharged from the cgroup.
        public var pgPgOut: UInt64 = 0
        /// `memory.stat` `pgfault`: page faults.
        public var pgFault: UInt64 = 0
        /// `memory.stat` `pgmajfault`: major page faults (read from disk).
        public var pgMajFault: UInt64 = 0
        /// `memory.stat` `inactive_anon`: anonymous memory on the inactive LRU list, in bytes.
        public var inactiveAnon: UInt64 = 0
        /// `memory.stat` `active_anon`: anonymous memory on the active LRU list, in bytes.
        public var activeAnon: UInt64 = 0
        /// `memory.stat` `inactive_file`: file-backed memory on the inactive LRU list, in bytes.
        public var inactiveFile: UInt64 = 0
        /// `memory.stat` `active_file`: file-backed memory on the active LRU list, in bytes.
        public var activeFile: UInt64 = 0
        /// `memory.stat` `unevictable`: memory that cannot be reclaimed (mlocked), in bytes.
        public var unevictable: UInt64 = 0
        /// `memory.stat` `hierarchical_memory_limit`: the tightest limit of the cgroup and its ancestors, in bytes.
        public var hierarchicalMemoryLimit: UInt64 = 0
        /// `memory.stat` `hierarchical_memsw_limit`: the same for memory plus swap, in bytes.
        public var hierarchicalSwapLimit: UInt64 = 0
        /// `memory.stat` `total_cache`: page cache, in bytes, with the descendants'.
        public var totalCache: UInt64 = 0
        /// `memory.stat` `total_rss`: anonymous and swap cache memory, in bytes, with the descendants'.
        public var totalRss: UInt64 = 0
        /// `memory.stat` `total_rss_huge`: anonymous transparent huge pages, in bytes, with the descendants'.
        public var totalRssHuge: UInt64 = 0
        /// `memory.stat` `total_mapped_file`: memory-mapped file pages, in bytes, with the descendants'.
        public var totalMappedFile: UInt64 = 0
        /// `memory.stat` `total_dirty`: pages waiting to be written back, in bytes, with the descendants'.
        public var totalDirty: UInt64 = 0
        /// `memory.stat` `total_writeback`: pages being written back, in bytes, with the descendants'.
        public var totalWriteback: UInt64 = 0
        /// `memory.stat` `total_pgpgin`: pages charged to the cgroup, with the descendants'.
        public var totalPgPgIn: UInt64 = 0
        /// `memory.stat` `total_pgpgout`: pages uncharged from the cgroup, with the descendants'.
        public var totalPgPgOut: UInt64 = 0
        /// `memory.stat` `total_pgfault`: page faults, with the descendants'.
        public var totalPgFault: UInt64 = 0
        /// `memory.stat` `total_pgmajfault`: major page faults (read from disk), with the descendants'.
        public var totalPgMajFault: UInt64 = 0
        /// `memory.stat` `total_inactive_anon`: anonymous memory on the inactive LRU list, in bytes, with the descendants'.
        public var totalInactiveAnon: UInt64 = 0
        /// `memory.stat` `total_active_anon`: anonymous memory on the active LRU list, in bytes, with the descendants'.
        public var totalActiveAnon: UInt64 = 0
        /// `memory.stat` `total_inactive_file`: file-backed memory on the inactive LRU list, in bytes, with the descendants'.
        public var totalInactiveFile: UInt64 = 0
        /// `memory.stat` `total_active_file`: file-backed memory on the active LRU list, in bytes, with the descendants'.
        public var totalActiveFile: UInt64 = 0
        /// `memory.stat` `total_unevictable`: memory that cannot be reclaimed (mlocked), in bytes, with the descendants'.
        public var totalUnevictable: UInt64 = 0
        /// `memory.usage_in_bytes`, `limit_in_bytes`, `max_usage_in_bytes`, `failcnt`.
        public var usage = Entry()
        /// `memory.memsw.*` (memory plus swap).
        public var swap = Entry()
        /// `memory.kmem.*`.
        public var kernel = Entry()
        /// `memory.kmem.tcp.*`.
        public var kernelTcp = Entry()
        /// Every key of `memory.stat`, including those the message has no field for.
        public var raw: [String: UInt64] = [:]
        /// An empty entry.
        public init() {}

        /// One memory counter family: usage, peak, limit and failures.
        public struct Entry: Hashable, Sendable {
            /// `*limit_in_bytes`: the limit; a huge number when unlimited.
            public var limit: UInt64 = 0
            /// `*usage_in_bytes`: current usage.
            public var usage: UInt64 = 0
            /// `*max_usage_in_bytes`: peak usage.
            public var max: UInt64 = 0
            /// `*failcnt`: how often the limit was hit.
            public var failcnt: UInt64 = 0
            /// An empty entry.
            public init() {}
        }
    }

    /// Block I/O counters of the cgroup and its descendants, one entry per device and operation.
    public struct BlkIO: Hashable, Sendable {
        /// `blkio.io_service_bytes_recursive` (bytes transferred).
        public var ioServiceBytesRecursive: [Entry] = []
        /// `blkio.io_serviced_recursive` (operations issued).
        public var ioServicedRecursive: [Entry] = []
        /// `blkio.io_queued_recursive` (operations queued).
        public var ioQueuedRecursive: [Entry] = []
        /// `blkio.io_service_time_recursive` (ns between dispatch and completion).
        public var ioServiceTimeRecursive: [Entry] = []
        /// `blkio.io_wait_time_recursive` (ns spent waiting in the scheduler queues).
        public var ioWaitTimeRecursive: [Entry] = []
        /// `blkio.io_merged_recursive` (requests merged).
        public var ioMergedRecursive: [Entry] = []
        /// `blkio.time_recursive` (ms of disk time).
        public var ioTimeRecursive: [Entry] = []
        /// `blkio.sectors_recursive` (sectors transferred).
        public var sectorsRecursive: [Entry] = []
        /// An empty entry.
        public init() {}

        /// One line of a blkio file.
        public struct Entry: Hashable, Sendable {
            /// `Read`, `Write`, `Sync`, `Async`, `Discard` or `Total`; empty for files without one.
            public var op: String = ""
            /// `/dev/<name>` from `/sys/dev/block/MAJ:MIN/uevent`, or empty.
            public var device: String = ""
            /// The device's major number.
            public var major: UInt64 = 0
            /// The device's minor number.
            public var minor: UInt64 = 0
            /// The count.
            public var value: UInt64 = 0
            /// An empty entry.
            public init() {}
        }
    }

    /// RDMA usage and limits, per device.
    public struct Rdma: Hashable, Sendable {
        /// `rdma.current`.
        public var current: [RdmaEntry] = []
        /// `rdma.max`.
        public var limit: [RdmaEntry] = []
        /// An empty entry.
        public init() {}
    }

    /// `memory.oom_control`.
    public struct MemoryOomControl: Hashable, Sendable {
        /// 1 when the OOM killer is disabled for the cgroup (`oom_kill_disable`).
        public var oomKillDisable: UInt64 = 0
        /// 1 while the cgroup is out of memory (`under_oom`).
        public var underOom: UInt64 = 0
        /// Processes the OOM killer killed in the cgroup (`oom_kill`).
        public var oomKill: UInt64 = 0
        /// An empty entry.
        public init() {}
    }
}

/// One device's RDMA counters (`rdma.current`, `rdma.max`).
public struct RdmaEntry: Hashable, Sendable {
    /// The RDMA device name.
    public var device: String = ""
    /// HCA handles (`hca_handle`).
    public var hcaHandles: UInt32 = 0
    /// HCA objects (`hca_object`).
    public var hcaObjects: UInt32 = 0
    /// An empty entry.
    public init() {}
}

/// Pressure stall information (`cpu.pressure`, `memory.pressure`,
/// `io.pressure`): the `some` and `full` lines of each.
public struct Pressure: Hashable, Sendable {
    /// `cpu.pressure`.
    public var cpu: PressureStat?
    /// `memory.pressure`.
    public var memory: PressureStat?
    /// `io.pressure`.
    public var io: PressureStat?
    /// No pressure data.
    public init() {}
}

/// The two lines of one pressure file.
public struct PressureStat: Hashable, Sendable {
    /// `some`: time in which at least one task stalled.
    public var some = PressureData()
    /// `full`: time in which every non-idle task stalled at once.
    public var full = PressureData()
    /// An empty entry.
    public init() {}
}

/// Averages in percent over 10, 60 and 300 seconds, and the total stall time in µs.
public struct PressureData: Hashable, Sendable {
    /// Share of the last 10 s stalled, in percent.
    public var avg10: Double = 0
    /// Share of the last 60 s stalled, in percent.
    public var avg60: Double = 0
    /// Share of the last 300 s stalled, in percent.
    public var avg300: Double = 0
    /// All stall time since the cgroup was created, in µs.
    public var total: UInt64 = 0
    /// An empty entry.
    public init() {}
}
