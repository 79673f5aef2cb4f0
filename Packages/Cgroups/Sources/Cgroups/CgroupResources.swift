/// Resource limits for a cgroup, field for field the OCI runtime spec's
/// `linux.resources` (`LinuxResources`) with the spec's meaning: a nil field
/// is left as the kernel has it. Cgroups does not depend on OCISpec; a caller
/// holding OCISpec's `LinuxResources` copies the fields over.
public struct CgroupResources: Hashable, Sendable {
    public var memory: Memory?
    public var cpu: CPU?
    public var pids: Pids?
    public var blockIO: BlockIO?
    public var hugepageLimits: [HugepageLimit]
    /// Device access rules, applied in order (v1 `devices.allow`/`devices.deny`).
    public var devices: [DeviceRule]
    public var network: Network?
    /// RDMA limits by device name.
    public var rdma: [String: RdmaLimit]
    /// cgroup2 files to write as they are (`"memory.high": "64M"`), after the rest.
    public var unified: [String: String]

    public init(
        memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil, blockIO: BlockIO? = nil, hugepageLimits: [HugepageLimit] = [],
        devices: [DeviceRule] = [], network: Network? = nil, rdma: [String: RdmaLimit] = [:], unified: [String: String] = [:]
    ) {
        self.memory = memory
        self.cpu = cpu
        self.pids = pids
        self.blockIO = blockIO
        self.hugepageLimits = hugepageLimits
        self.devices = devices
        self.network = network
        self.rdma = rdma
        self.unified = unified
    }

    /// Memory limits in bytes; -1 means unlimited.
    public struct Memory: Hashable, Sendable {
        public var limit: Int64?
        /// Soft limit (v1 `memory.soft_limit_in_bytes`, v2 `memory.low`).
        public var reservation: Int64?
        /// Memory plus swap, as OCI defines it (v2 writes `swap - limit` to `memory.swap.max`).
        public var swap: Int64?
        /// v1 only; newer kernels refuse it.
        public var kernel: Int64?
        public var kernelTCP: Int64?
        /// 0…100, v1 only.
        public var swappiness: UInt64?
        public var disableOOMKiller: Bool?
        public var useHierarchy: Bool?

        public init(
            limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, kernel: Int64? = nil, kernelTCP: Int64? = nil,
            swappiness: UInt64? = nil, disableOOMKiller: Bool? = nil, useHierarchy: Bool? = nil
        ) {
            self.limit = limit
            self.reservation = reservation
            self.swap = swap
            self.kernel = kernel
            self.kernelTCP = kernelTCP
            self.swappiness = swappiness
            self.disableOOMKiller = disableOOMKiller
            self.useHierarchy = useHierarchy
        }
    }

    public struct CPU: Hashable, Sendable {
        /// Relative weight, 2…262144 (v2 converts it to `cpu.weight` 1…10000).
        public var shares: UInt64?
        /// µs per period; -1 for no limit.
        public var quota: Int64?
        public var burst: UInt64?
        public var period: UInt64?
        public var realtimeRuntime: Int64?
        public var realtimePeriod: UInt64?
        /// A CPU list such as `0-2,4`.
        public var cpus: String?
        /// A memory node list.
        public var mems: String?
        /// 1 makes the cgroup SCHED_IDLE.
        public var idle: Int64?

        public init(
            shares: UInt64? = nil, quota: Int64? = nil, burst: UInt64? = nil, period: UInt64? = nil, realtimeRuntime: Int64? = nil,
            realtimePeriod: UInt64? = nil, cpus: String? = nil, mems: String? = nil, idle: Int64? = nil
        ) {
            self.shares = shares
            self.quota = quota
            self.burst = burst
            self.period = period
            self.realtimeRuntime = realtimeRuntime
            self.realtimePeriod = realtimePeriod
            self.cpus = cpus
            self.mems = mems
            self.idle = idle
        }
    }

    public struct Pids: Hashable, Sendable {
        /// The maximum number of tasks; 0 or less means unlimited (`max`).
        public var limit: Int64
        public init(limit: Int64) { self.limit = limit }
    }

    public struct BlockIO: Hashable, Sendable {
        /// 10…1000 (v2 converts it to `io.weight` 1…10000).
        public var weight: UInt16?
        public var leafWeight: UInt16?
        public var weightDevice: [WeightDevice]
        public var throttleReadBpsDevice: [ThrottleDevice]
        public var throttleWriteBpsDevice: [ThrottleDevice]
        public var throttleReadIOPSDevice: [ThrottleDevice]
        public var throttleWriteIOPSDevice: [ThrottleDevice]

        public init(
            weight: UInt16? = nil, leafWeight: UInt16? = nil, weightDevice: [WeightDevice] = [],
            throttleReadBpsDevice: [ThrottleDevice] = [],
            throttleWriteBpsDevice: [ThrottleDevice] = [], throttleReadIOPSDevice: [ThrottleDevice] = [],
            throttleWriteIOPSDevice: [ThrottleDevice] = []
        ) {
            self.weight = weight
            self.leafWeight = leafWeight
            self.weightDevice = weightDevice
            self.throttleReadBpsDevice = throttleReadBpsDevice
            self.throttleWriteBpsDevice = throttleWriteBpsDevice
            self.throttleReadIOPSDevice = throttleReadIOPSDevice
            self.throttleWriteIOPSDevice = throttleWriteIOPSDevice
        }
    }

    public struct WeightDevice: Hashable, Sendable {
        public var major: Int64
        public var minor: Int64
        public var weight: UInt16?
        public var leafWeight: UInt16?
        public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
            self.major = major
            self.minor = minor
            self.weight = weight
            self.leafWeight = leafWeight
        }
    }

    public struct ThrottleDevice: Hashable, Sendable {
        public var major: Int64
        public var minor: Int64
        public var rate: UInt64
        public init(major: Int64, minor: Int64, rate: UInt64) {
            self.major = major
            self.minor = minor
            self.rate = rate
        }
    }

    public struct HugepageLimit: Hashable, Sendable {
        /// `2MB`, `1GB`, as the kernel names page sizes in file names.
        public var pageSize: String
        public var limit: UInt64
        public init(pageSize: String, limit: UInt64) {
            self.pageSize = pageSize
            self.limit = limit
        }
    }

    public struct DeviceRule: Hashable, Sendable {
        public var allow: Bool
        /// `a` (all), `c` or `b`; nil means all.
        public var type: String?
        /// nil means any (`*`).
        public var major: Int64?
        public var minor: Int64?
        /// Some of `rwm`; nil means all three.
        public var access: String?
        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Network: Hashable, Sendable {
        /// v1 `net_cls.classid`.
        public var classID: UInt32?
        /// v1 `net_prio.ifpriomap`.
        public var priorities: [InterfacePriority]
        public init(classID: UInt32? = nil, priorities: [InterfacePriority] = []) {
            self.classID = classID
            self.priorities = priorities
        }
    }

    public struct InterfacePriority: Hashable, Sendable {
        public var name: String
        public var priority: UInt32
        public init(name: String, priority: UInt32) {
            self.name = name
            self.priority = priority
        }
    }

    public struct RdmaLimit: Hashable, Sendable {
        public var hcaHandles: UInt32?
        public var hcaObjects: UInt32?
        public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
            self.hcaHandles = hcaHandles
            self.hcaObjects = hcaObjects
        }
    }
}
