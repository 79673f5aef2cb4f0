/// A cgroup controller (subsystem), by its kernel name. An open set: names
/// this library does not know (`misc`, a named v1 hierarchy such as
/// `name=systemd`) are kept as they are.
public struct Controller: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }

    public static let cpu = Controller("cpu")
    public static let cpuacct = Controller("cpuacct")
    public static let cpuset = Controller("cpuset")
    public static let memory = Controller("memory")
    public static let devices = Controller("devices")
    public static let freezer = Controller("freezer")
    public static let blkio = Controller("blkio")
    public static let pids = Controller("pids")
    public static let hugetlb = Controller("hugetlb")
    public static let netCls = Controller("net_cls")
    public static let netPrio = Controller("net_prio")
    public static let perfEvent = Controller("perf_event")
    public static let rdma = Controller("rdma")
    public static let misc = Controller("misc")
    /// v2's block I/O controller (v1 calls it blkio).
    public static let io = Controller("io")
    /// systemd's named v1 hierarchy.
    public static let systemd = Controller("name=systemd")

    public var description: String { rawValue }
    public static func < (lhs: Controller, rhs: Controller) -> Bool { lhs.rawValue < rhs.rawValue }
}
