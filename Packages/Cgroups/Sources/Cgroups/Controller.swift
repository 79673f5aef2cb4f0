/// A cgroup controller (subsystem), by its kernel name. An open set: names
/// this library does not know (`misc`, a named v1 hierarchy such as
/// `name=systemd`) are kept as they are.
public struct Controller: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A controller by its kernel name.
    public init(_ name: String) { self.rawValue = name }

    /// CPU shares, quotas and real-time limits.
    public static let cpu = Controller("cpu")
    /// v1 CPU accounting.
    public static let cpuacct = Controller("cpuacct")
    /// CPU and memory-node sets.
    public static let cpuset = Controller("cpuset")
    /// Memory limits, accounting and OOM control.
    public static let memory = Controller("memory")
    /// v1 device access rules.
    public static let devices = Controller("devices")
    /// v1 freezing (v2 freezes with `cgroup.freeze`, no controller).
    public static let freezer = Controller("freezer")
    /// v1 block I/O (v2 calls it io).
    public static let blkio = Controller("blkio")
    /// The task limit.
    public static let pids = Controller("pids")
    /// Huge page limits and accounting.
    public static let hugetlb = Controller("hugetlb")
    /// v1 network class ids.
    public static let netCls = Controller("net_cls")
    /// v1 network priorities.
    public static let netPrio = Controller("net_prio")
    /// perf_event monitoring by cgroup.
    public static let perfEvent = Controller("perf_event")
    /// RDMA resource limits.
    public static let rdma = Controller("rdma")
    /// Miscellaneous scalar resources (`misc.max`).
    public static let misc = Controller("misc")
    /// v2's block I/O controller (v1 calls it blkio).
    public static let io = Controller("io")
    /// systemd's named v1 hierarchy.
    public static let systemd = Controller("name=systemd")

    public var description: String { rawValue }
    public static func < (lhs: Controller, rhs: Controller) -> Bool { lhs.rawValue < rhs.rawValue }
}
