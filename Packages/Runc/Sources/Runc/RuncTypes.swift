import OCISpec

/// A container as `runc state` and `runc list` describe it: the OCI state
/// plus runc's `rootfs`, `created` and `owner`.
public struct RuncContainer: Sendable, Hashable, Decodable {
    public var id: String
    public var pid: Int32
    /// `created`, `running`, `paused` or `stopped` (OCISpec's open set).
    public var status: ContainerStatus
    public var bundle: String
    public var rootfs: String
    /// RFC 3339 time of creation, as runc prints it.
    public var created: String
    public var owner: String
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

/// `runc --version`.
public struct RuncVersion: Sendable, Hashable {
    /// `1.1.5+ds1`.
    public var runc: String
    /// The commit line.
    public var commit: String
    /// The runtime-spec version runc implements.
    public var spec: String
}

/// One `runc events --stats` sample: cgroup statistics of a container.
/// Fields runc leaves out (Go's omitempty for zero values) read as zero.
public struct RuncStats: Sendable, Hashable {
    public struct CPU: Sendable, Hashable {
        public var total: UInt64
        public var perCPU: [UInt64]
        public var kernel: UInt64
        public var user: UInt64
        public var periods: UInt64
        public var throttledPeriods: UInt64
        public var throttledTime: UInt64
    }

    public struct MemoryEntry: Sendable, Hashable {
        public var limit: UInt64
        public var usage: UInt64
        public var max: UInt64
        public var failcnt: UInt64

        init(_ json: JSONValue) {
            limit = json["limit"].uint
            usage = json["usage"].uint
            max = json["max"].uint
            failcnt = json["failcnt"].uint
        }
    }

    public struct Memory: Sendable, Hashable {
        public var cache: UInt64
        public var usage: MemoryEntry
        public var swap: MemoryEntry
        public var kernel: MemoryEntry
        public var kernelTCP: MemoryEntry
        /// The memory.stat file, by key.
        public var raw: [String: UInt64]
    }

    public struct BlkioEntry: Sendable, Hashable {
        public var major: UInt64
        public var minor: UInt64
        public var op: String
        public var value: UInt64
    }

    public struct Hugetlb: Sendable, Hashable {
        public var usage: UInt64
        public var max: UInt64
        public var failcnt: UInt64
    }

    public var cpu: CPU
    public var memory: Memory
    public var pidsCurrent: UInt64
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
