import SystemPackage

/// Where this host's cgroup hierarchies are mounted: each v1 controller's
/// mount point and the cgroup2 mount point, read from
/// `/proc/self/mountinfo`. A hierarchy built by hand (a fake cgroup tree in a
/// temporary directory, say) works the same way.
public struct CgroupHierarchy: Hashable, Sendable {
    /// Which hierarchies the host mounts: legacy, hybrid or unified.
    public var mode: CgroupMode
    /// The mount point of each v1 controller. Co-mounted controllers (`cpu,cpuacct`) share one.
    public var v1Mounts: [Controller: FilePath]
    /// The mount root of each v1 hierarchy (not `/` inside a cgroup namespace), by controller.
    public var v1MountRoots: [Controller: String]
    /// The cgroup2 mount point (unified and hybrid).
    public var unifiedMount: FilePath?

    /// A hierarchy with the given mount points (for fake trees in tests, or mounts found elsewhere).
    public init(
        mode: CgroupMode, v1Mounts: [Controller: FilePath] = [:], v1MountRoots: [Controller: String] = [:],
        unifiedMount: FilePath? = nil
    ) {
        self.mode = mode
        self.v1Mounts = v1Mounts
        self.v1MountRoots = v1MountRoots
        self.unifiedMount = unifiedMount
    }

    /// A unified hierarchy rooted at `mount`.
    public static func unified(at mount: FilePath) -> CgroupHierarchy {
        CgroupHierarchy(mode: .unified, unifiedMount: mount)
    }

    /// This host's hierarchies, from `/proc/self/mountinfo`; the mode from
    /// ``CgroupMode/detect(root:)``.
    public static func current() throws(CgroupError) -> CgroupHierarchy {
        let text = try CgroupFile.read("/proc/self/mountinfo")
        var hierarchy = parse(mountinfo: text)
        hierarchy.mode = try CgroupMode.detect()
        if hierarchy.mode == .legacy { hierarchy.unifiedMount = nil }
        return hierarchy
    }

    /// The cgroup mounts in a mountinfo text (proc(5)). The mode is inferred:
    /// unified when only cgroup2 is mounted, hybrid when both are.
    public static func parse(mountinfo: String) -> CgroupHierarchy {
        var mounts: [Controller: FilePath] = [:]
        var roots: [Controller: String] = [:]
        var unified: FilePath?
        for line in mountinfo.split(separator: "\n") {
            // Optional fields end at a lone "-"; fstype, source and
            // super options follow it.
            let fields = line.split(separator: " ")
            guard let separator = fields.firstIndex(of: "-"), separator >= 5 else { continue }
            let front = fields[..<separator]
            let back = Array(fields[(separator + 1)...])
            guard back.count >= 3 else { continue }
            let root = decodeEscapes(front[3])
            let mountPoint = FilePath(decodeEscapes(front[4]))
            switch back[0] {
            case "cgroup2":
                // The first cgroup2 mount wins; later ones are bind mounts of it.
                if unified == nil { unified = mountPoint }
            case "cgroup":
                for option in back[2].split(separator: ",") where option != "rw" && option != "ro" {
                    guard !option.utf8.contains(UInt8(ascii: "=")) || option.hasPrefix("name=") else { continue }
                    let controller = Controller(String(option))
                    if mounts[controller] == nil {
                        mounts[controller] = mountPoint
                        roots[controller] = root
                    }
                }
            default:
                continue
            }
        }
        let known: Set<String> = [
            "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "net_cls", "net_prio",
            "perf_event", "rdma", "misc",
        ]
        mounts = mounts.filter { known.contains($0.key.rawValue) || $0.key.rawValue.hasPrefix("name=") }
        let mode: CgroupMode = mounts.isEmpty ? .unified : (unified == nil ? .legacy : .hybrid)
        return CgroupHierarchy(mode: mode, v1Mounts: mounts, v1MountRoots: roots, unifiedMount: unified)
    }

    /// The controllers the cgroup2 hierarchy offers (its root's `cgroup.controllers`).
    public func unifiedControllers() -> Set<Controller> {
        guard let unifiedMount, let text = try? CgroupFile.read(unifiedMount.appending("cgroup.controllers")) else { return [] }
        return Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Controller(String($0)) })
    }

    /// mountinfo escapes space, tab, newline and backslash as octal `\040`.
    static func decodeEscapes(_ field: Substring) -> String {
        guard field.utf8.contains(UInt8(ascii: "\\")) else { return String(field) }
        let utf8 = Array(field.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count {
                let digits = utf8[(index + 1)...(index + 3)]
                if digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
                    bytes.append(digits.reduce(0) { $0 &* 8 &+ ($1 - 0x30) })
                    index += 4
                    continue
                }
            }
            bytes.append(utf8[index])
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
