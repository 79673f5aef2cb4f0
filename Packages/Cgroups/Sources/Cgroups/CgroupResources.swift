/// Resource limits for a cgroup, field for field the OCI runtime spec's
/// `linux.resources` (`LinuxResources`) with the spec's meaning: a nil field
/// is left as the kernel has it. Cgroups does not depend on OCISpec; a caller
/// holding OCISpec's `LinuxResources` copies the fields over.
public struct CgroupResources: Hashable, Sendable {
    /// Memory limits (`memory` controller).
    public var memory: Memory?
    /// CPU shares, quota and sets (`cpu`, `cpuset` controllers).
    public var cpu: CPU?
    /// The task limit (`pids` controller).
    public var pids: Pids?
    /// Block I/O weights and throttles (v1 `blkio`, v2 `io`).
    public var blockIO: BlockIO?
    /// Huge page limits, one per page size (`hugetlb` controller).
    public var hugepageLimits: [HugepageLimit]
    /// Device access rules, applied in order (v1 `devices.allow`/`devices.deny`).
    public var devices: [DeviceRule]
    /// Network class and priorities (v1 `net_cls`, `net_prio`).
    public var network: Network?
    /// RDMA limits by device name.
    public var rdma: [String: RdmaLimit]
    /// cgroup2 files to write as they are (`"memory.high": "64M"`), after the rest.
    public var unified: [String: String]

    /// Resources with the given sections; the rest are left as the kernel has them.
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
        /// The hard limit (v1 `memory.limit_in_bytes`, v2 `memory.max`).
        public var limit: Int64?
        /// Soft limit (v1 `memory.soft_limit_in_bytes`, v2 `memory.low`).
        public var reservation: Int64?
        /// Memory plus swap, as OCI defines it (v2 writes `swap - limit` to `memory.swap.max`).
        public var swap: Int64?
        /// v1 only; newer kernels refuse it.
        public var kernel: Int64?
        /// v1 only: kernel TCP buffer limit (`memory.kmem.tcp.limit_in_bytes`).
        public var kernelTCP: Int64?
        /// 0…100, v1 only.
        public var swappiness: UInt64?
        /// v1 only: true disables the OOM killer (`memory.oom_control`); tasks wait instead.
        public var disableOOMKiller: Bool?
        /// v1 only: hierarchical accounting (`memory.use_hierarchy`).
        public var useHierarchy: Bool?

        /// Memory limits; nil ones are left as they are.
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

    /// CPU limits (v1 `cpu.*`, `cpuset.*`; v2 `cpu.weight`, `cpu.max`, `cpuset.*`).
    public struct CPU: Hashable, Sendable {
        /// Relative weight, 2…262144 (v2 converts it to `cpu.weight` 1…10000).
        public var shares: UInt64?
        /// µs per period; -1 for no limit.
        public var quota: Int64?
        /// µs a cgroup may run beyond its quota in a period (`cpu.cfs_burst_us`, v2 `cpu.max.burst`).
        public var burst: UInt64?
        /// The quota's period in µs (v1 `cpu.cfs_period_us`, second field of v2 `cpu.max`).
        public var period: UInt64?
        /// v1 only: µs of real-time runtime per period (`cpu.rt_runtime_us`).
        public var realtimeRuntime: Int64?
        /// v1 only: the real-time period in µs (`cpu.rt_period_us`).
        public var realtimePeriod: UInt64?
        /// A CPU list such as `0-2,4`.
        public var cpus: String?
        /// A memory node list.
        public var mems: String?
        /// 1 makes the cgroup SCHED_IDLE.
        public var idle: Int64?

        /// CPU limits; nil ones are left as they are.
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

    /// The task limit (`pids.max`).
    public struct Pids: Hashable, Sendable {
        /// The maximum number of tasks; 0 or less means unlimited (`max`).
        public var limit: Int64
        /// A limit of `limit` tasks; 0 or less for none.
        public init(limit: Int64) { self.limit = limit }
    }

    /// Block I/O weights and throttles (v1 `blkio.*`, v2 `io.weight`, `io.max`).
    public struct BlockIO: Hashable, Sendable {
        /// 10…1000 (v2 converts it to `io.weight` 1…10000).
        public var weight: UInt16?
        /// v1 only: the weight for the cgroup's own tasks against its children (`blkio.leaf_weight`).
        public var leafWeight: UInt16?
        /// Per-device weights (`blkio.weight_device`, v2 `io.weight` lines).
        public var weightDevice: [WeightDevice]
        /// Read bytes per second, per device (`blkio.throttle.read_bps_device`, v2 `io.max` `rbps`).
        public var throttleReadBpsDevice: [ThrottleDevice]
        /// Write bytes per second, per device (`blkio.throttle.write_bps_device`, v2 `io.max` `wbps`).
        public var throttleWriteBpsDevice: [ThrottleDevice]
        /// Read operations per second, per device (`blkio.throttle.read_iops_device`, v2 `io.max` `riops`).
        public var throttleReadIOPSDevice: [ThrottleDevice]
        /// Write operations per second, per device (`blkio.throttle.write_iops_device`, v2 `io.max` `wiops`).
        public var throttleWriteIOPSDevice: [ThrottleDevice]

        /// Block I/O settings; nil and empty ones are left as they are.
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

    /// A weight for one block device.
    public struct WeightDevice: Hashable, Sendable {
        /// The device's major number.
        public var major: Int64
        /// The device's minor number.
        public var minor: Int64
        /// 10…1000.
        public var weight: UInt16?
        /// v1 only: the leaf weight, 10…1000.
        public var leafWeight: UInt16?
        /// A weight for device `major`:`minor`.
        public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
            self.major = major
            self.minor = minor
            self.weight = weight
            self.leafWeight = leafWeight
        }
    }

    /// A rate limit for one block device.
    public struct ThrottleDevice: Hashable, Sendable {
        /// The device's major number.
        public var major: Int64
        /// The device's minor number.
        public var minor: Int64
        /// Bytes or operations per second; 0 removes the limit.
        public var rate: UInt64
        /// A limit of `rate` for device `major`:`minor`.
        public init(major: Int64, minor: Int64, rate: UInt64) {
            self.major = major
            self.minor = minor
            self.rate = rate
        }
    }

    /// A huge page limit for one page size (`hugetlb.<size>.limit_in_bytes`, v2 `hugetlb.<size>.max`).
    public struct HugepageLimit: Hashable, Sendable {
        /// `2MB`, `1GB`, as the kernel names page sizes in file names.
        public var pageSize: String
        /// The limit in bytes.
        public var limit: UInt64
        /// A limit of `limit` bytes of `pageSize` pages.
        public init(pageSize: String, limit: UInt64) {
            self.pageSize = pageSize
            self.limit = limit
        }
    }

    /// One device access rule (v1 `devices.allow`/`devices.deny`).
    public struct DeviceRule: Hashable, Sendable {
        /// Allow (true) or deny the access.
        public var allow: Bool
        /// `a` (all), `c` or `b`; nil means all.
        public var type: String?
        /// nil means any (`*`).
        public var major: Int64?
        /// nil means any (`*`).
        public var minor: Int64?
        /// Some of `rwm`; nil means all three.
        public var access: String?
        /// A rule; nil fields match everything.
        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    /// Network classification and priorities (v1 only).
    public struct Network: Hashable, Sendable {
        /// v1 `net_cls.classid`.
        public var classID: UInt32?
        /// v1 `net_prio.ifpriomap`.
        public var priorities: [InterfacePriority]
        /// Network settings; nil and empty ones are left as they are.
        public init(classID: UInt32? = nil, priorities: [InterfacePriority] = []) {
            self.classID = classID
            self.priorities = priorities
        }
    }

    /// One interface's priority in `net_prio.ifpriomap`.
    public struct InterfacePriority: Hashable, Sendable {
        /// The interface name (`eth0`).
        public var name: String
        /// The priority of the cgroup's traffic on it.
        public var priority: UInt32
        /// A priority for interface `name`.
        public init(name: String, priority: UInt32) {
            self.name = name
            self.priority = priority
        }
    }

    /// RDMA limits of one device (`rdma.max`).
    public struct RdmaLimit: Hashable, Sendable {
        /// The maximum HCA handles; nil leaves it as it is.
        public var hcaHandles: UInt32?
        /// The maximum HCA objects; nil leaves it as it is.
        public var hcaObjects: UInt32?
        /// RDMA limits; nil ones are left as they are.
        public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
            self.hcaHandles = hcaHandles
            self.hcaObjects = hcaObjects
        }
    }
}
