import OCISpec

/// A container as `runc state` and `runc list` describe it: the OCI state
/// plus runc's `rootfs`, `created` and `owner`.
public struct RuncContainer: Sendable, Hashable, Decodable {
    /// The container id.
    public var id: String
    /// The init process's pid on the host; 0 when stopped.
    public var pid: Int32
    /// `created`, `running`, `paused` or `stopped` (OCISpec's open set).
    public var status: ContainerStatus
    /// The bundle directory the container was created from.
    public var bundle: String
    /// The root filesystem's absolute path.
    public var rootfs: String
    /// RFC 3339 time of creation, as runc prints it.
    public var created: String
    /// The user name that owns the container, as runc prints it.
    public var owner: String
    /// The spec's annotations.
    public var annotations: [String: String]

    private enum CodingKeys: String, CodingKey {
        case id, pid, status, bundle, rootfs, created, owner, annotations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        pid = try container.decodeIfPresent(Int32.self, forKey: .pid) ?? 0
        status = ContainerStatus(rawValue: try container.decodeIfPresent(String.self, forKey: .status) ?? "")
        bundle = try container.decodeIfPresent(String.self, forKey: .bundle) ?? ""
        rootfs = try container.decodeIfPresent(String.self, forKey: .rootfs) ?? ""
        created = try container.decodeIfPresent(String.self, forKey: .created) ?? ""
        owner = try container.decodeIfPresent(String.self, forKey: .owner) ?? ""
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
    }
}

/// One `runc events --stats` sample: cgroup statistics of a container.
/// Fields runc leaves out (Go's omitempty for zero values) read as zero.
public struct RuncStats: Sendable, Hashable {
    /// CPU accounting (`cpuacct.*` on v1, `cpu.stat` on v2), in nanoseconds.
    public struct CPU: Sendable, Hashable {
        /// Total CPU time.
        public var total: UInt64
        /// CPU time per CPU (`cpuacct.usage_percpu`).
        public var perCPU: [UInt64]
        /// Time in kernel mode.
        public var kernel: UInt64
        /// Time in user mode.
        public var user: UInt64
        /// Enforcement periods elapsed (`nr_periods`).
        public var periods: UInt64
        /// Periods in which the cgroup was throttled (`nr_throttled`).
        public var throttledPeriods: UInt64
        /// Total time throttled.
        public var throttledTime: UInt64
    }

    /// One memory counter's usage, peak, limit and failure count, in bytes.
    public struct MemoryEntry: Sendable, Hashable {
        /// The limit; a huge number when unlimited.
        public var limit: UInt64
        /// Current usage.
        public var usage: UInt64
        /// Peak usage.
        public var max: UInt64
        /// How often the limit was hit.
        public var failcnt: UInt64

        init(_ json: JSONValue) {
            limit = json["limit"].uint
            usage = json["usage"].uint
            max = json["max"].uint
            failcnt = json["failcnt"].uint
        }
    }

    /// Memory accounting.
    public struct Memory: Sendable, Hashable {
        /// Page cache, in bytes.
        public var cache: UInt64
        /// Memory (`memory.usage_in_bytes` and friends on v1, `memory.current`/`max` on v2).
        public var usage: MemoryEntry
        /// Memory plus swap (v1 `memory.memsw.*`).
        public var swap: MemoryEntry
        /// Kernel memory (v1 `memory.kmem.*`).
        public var kernel: MemoryEntry
        /// Kernel TCP buffers (v1 `memory.kmem.tcp.*`).
        public var kernelTCP: MemoryEntry
        /// The memory.stat file, by key.
        public var raw: [String: UInt64]
    }

    /// One block I/O counter of one device.
    public struct BlkioEntry: Sendable, Hashable {
        /// The device's major number.
        public var major: UInt64
        /// The device's minor number.
        public var minor: UInt64
        /// The operation (`Read`, `Write`, `Sync`, `Async`, `Total`…), empty for counters without one.
        public var op: String
        /// The count.
        public var value: UInt64
    }

    /// Huge page accounting for one page size.
    public struct Hugetlb: Sendable, Hashable {
        /// Current usage, in bytes.
        public var usage: UInt64
        /// Peak usage, in bytes.
        public var max: UInt64
        /// Allocations refused by the limit.
        public var failcnt: UInt64
    }

    /// CPU accounting.
    public var cpu: CPU
    /// Memory accounting.
    public var memory: Memory
    /// Processes in the cgroup (`pids.current`).
    public var pidsCurrent: UInt64
    /// The pids limit (`pids.max`); 0 when unlimited.
    public var pidsLimit: UInt64
    /// Blkio lists by runc's key (`ioServiceBytesRecursive`…).
    public var blkio: [String: [BlkioEntry]]
    /// By page size (`2MB`).
    public var hugetlb: [String: Hugetlb]

    /// Reads the `data` object of a stats event.
    public init(json data: JSONValue) {
        let cpu = data["cpu"]
        self.cpu = CPU(
            total: cpu["usage"]["total"].uint, perCPU: cpu["usage"]["percpu"].array.map(\.uint),
            kernel: cpu["usage"]["kernel"].uint, user: cpu["usage"]["user"].uint,
            periods: cpu["throttling"]["periods"].uint, throttledPeriods: cpu["throttling"]["throttledPeriods"].uint,
            throttledTime: cpu["throttling"]["throttledTime"].uint)
        let memory = data["memory"]
        self.memory = Memory(
            cache: memory["cache"].uint, usage: MemoryEntry(memory["usage"]), swap: MemoryEntry(memory["swap"]),
            kernel: MemoryEntry(memory["kernel"]), kernelTCP: MemoryEntry(memory["kernelTCP"]),
            raw: memory["raw"].object.mapValues(\.uint))
        pidsCurrent = data["pids"]["current"].uint
        pidsLimit = data["pids"]["limit"].uint
        blkio = data["blkio"].object.mapValues { list in
            list.array.map { BlkioEntry(major: $0["major"].uint, minor: $0["minor"].uint, op: $0["op"].string, value: $0["value"].uint) }
        }
        hugetlb = data["hugetlb"].object.mapValues { Hugetlb(usage: $0["usage"].uint, max: $0["max"].uint, failcnt: $0["failcnt"].uint) }
    }
}

extension JSONValue {
    /// The member `key` of an object; `.null` otherwise.
    subscript(key: String) -> JSONValue {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    var uint: UInt64 {
        switch self {
        case .int(let value): return UInt64(clamping: value)
        case .uint(let value): return value
        case .double(let value): return value >= 1.8e19 ? UInt64.max : value > 0 ? UInt64(value) : 0
        default: return 0
        }
    }

    var string: String {
        if case .string(let value) = self { return value }
        return ""
    }

    var array: [JSONValue] {
        if case .array(let value) = self { return value }
        return []
    }

    var object: [String: JSONValue] {
        if case .object(let value) = self { return value }
        return [:]
    }
}
