/// A v1 (and hybrid) statistics snapshot. Types and field names follow
/// containerd's `io.containerd.cgroups.v1.Metrics` message one to one, so a
/// shim copies them field by field; a section is nil when its controller is
/// not mounted for the cgroup.
public struct CgroupV1Stats: Hashable, Sendable {
    public var hugetlb: [Hugetlb] = []
    public var pids: Pids?
    public var cpu: CPU?
    public var memory: Memory?
    public var blkio: BlkIO?
    public var rdma: Rdma?
    public var memoryOomControl: MemoryOomControl?
    /// Pressure stall information, when the kernel offers it for this cgroup
    /// (cgroup2 `*.pressure` files; in hybrid mode from the unified directory).
    /// containerd's v1 message has no field for it.
    public var pressure: Pressure?

    public init() {}

    public struct Hugetlb: Hashable, Sendable {
        public var usage: UInt64 = 0
        /// Peak usage (`max_usage_in_bytes`), as containerd fills it.
        public var max: UInt64 = 0
        public var failcnt: UInt64 = 0
        public var pagesize: String = ""
        public init() {}
    }

    public struct Pids: Hashable, Sendable {
        public var current: UInt64 = 0
        /// 0 when unlimited, as containerd reports `max`.
        public var limit: UInt64 = 0
        public init() {}
    }

    public struct CPU: Hashable, Sendable {
        public var usage = Usage()
        public var throttling = Throttle()
        public init() {}

        /// Nanoseconds: `cpuacct.usage`, `cpuacct.stat` (ticks scaled), `cpuacct.usage_percpu`.
        public struct Usage: Hashable, Sendable {
            public var total: UInt64 = 0
            public var kernel: UInt64 = 0
            public var user: UInt64 = 0
            public var perCpu: [UInt64] = []
            public init() {}
        }

        /// `cpu.stat`.
        public struct Throttle: Hashable, Sendable {
            public var periods: UInt64 = 0
            public var throttledPeriods: UInt64 = 0
            public var throttledTime: UInt64 = 0
            public init() {}
        }
    }

    /// `memory.stat` (own and `total_` hierarchical counters) and the usage files.
    public struct Memory: Hashable, Sendable {
        public var cache: UInt64 = 0
        public var rss: UInt64 = 0
        public var rssHuge: UInt64 = 0
        public var mappedFile: UInt64 = 0
        public var dirty: UInt64 = 0
        public var writeback: UInt64 = 0
        public var pgPgIn: UInt64 = 0
        public var pgPgOut: UInt64 = 0
        public var pgFault: UInt64 = 0
        public var pgMajFault: UInt64 = 0
        public var inactiveAnon: UInt64 = 0
        public var activeAnon: UInt64 = 0
        public var inactiveFile: UInt64 = 0
        public var activeFile: UInt64 = 0
        public var unevictable: UInt64 = 0
        public var hierarchicalMemoryLimit: UInt64 = 0
        public var hierarchicalSwapLimit: UInt64 = 0
        public var totalCache: UInt64 = 0
        public var totalRss: UInt64 = 0
        public var totalRssHuge: UInt64 = 0
        public var totalMappedFile: UInt64 = 0
        public var totalDirty: UInt64 = 0
        public var totalWriteback: UInt64 = 0
        public var totalPgPgIn: UInt64 = 0
        public var totalPgPgOut: UInt64 = 0
        public var totalPgFault: UInt64 = 0
        public var totalPgMajFault: UInt64 = 0
        public var totalInactiveAnon: UInt64 = 0
        public var totalActiveAnon: UInt64 = 0
        public var totalInactiveFile: UInt64 = 0
        public var totalActiveFile: UInt64 = 0
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
        public init() {}

        public struct Entry: Hashable, Sendable {
            public var limit: UInt64 = 0
            public var usage: UInt64 = 0
            public var max: UInt64 = 0
            public var failcnt: UInt64 = 0
            public init() {}
        }
    }

    public struct BlkIO: Hashable, Sendable {
        public var ioServiceBytesRecursive: [Entry] = []
        public var ioServicedRecursive: [Entry] = []
        public var ioQueuedRecursive: [Entry] = []
        public var ioServiceTimeRecursive: [Entry] = []
        public var ioWaitTimeRecursive: [Entry] = []
        public var ioMergedRecursive: [Entry] = []
        public var ioTimeRecursive: [Entry] = []
        public var sectorsRecursive: [Entry] = []
        public init() {}

        public struct Entry: Hashable, Sendable {
            public var op: String = ""
            /// `/dev/<name>` from `/sys/dev/block/MAJ:MIN/uevent`, or empty.
            public var device: String = ""
            public var major: UInt64 = 0
            public var minor: UInt64 = 0
            public var value: UInt64 = 0
            public init() {}
        }
    }

    public struct Rdma: Hashable, Sendable {
        public var current: [RdmaEntry] = []
        public var limit: [RdmaEntry] = []
        public init() {}
    }

    /// `memory.oom_control`.
    public struct MemoryOomControl: Hashable, Sendable {
        public var oomKillDisable: UInt64 = 0
        public var underOom: UInt64 = 0
        public var oomKill: UInt64 = 0
        public init() {}
    }
}

/// One device's RDMA counters (`rdma.current`, `rdma.max`).
public struct RdmaEntry: Hashable, Sendable {
    public var device: String = ""
    public var hcaHandles: UInt32 = 0
    public var hcaObjects: UInt32 = 0
    public init() {}
}

/// Pressure stall information (`cpu.pressure`, `memory.pressure`,
/// `io.pressure`): the `some` and `full` lines of each.
public struct Pressure: Hashable, Sendable {
    public var cpu: PressureStat?
    public var memory: PressureStat?
    public var io: PressureStat?
    public init() {}
}

public struct PressureStat: Hashable, Sendable {
    public var some = PressureData()
    public var full = PressureData()
    public init() {}
}

/// Averages in percent over 10, 60 and 300 seconds, and the total stall time in µs.
public struct PressureData: Hashable, Sendable {
    public var avg10: Double = 0
    public var avg60: Double = 0
    public var avg300: Double = 0
    public var total: UInt64 = 0
    public init() {}
}
