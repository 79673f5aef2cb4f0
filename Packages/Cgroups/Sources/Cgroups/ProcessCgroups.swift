/// A process's cgroup membership as `/proc/PID/cgroup` lists it
/// (cgroups(7)): `id:controllers:path` lines, where the v2 line has id 0 and
/// no controllers.
public struct ProcessCgroups: Hashable, Sendable {
    /// The path in each v1 hierarchy, by controller (`cpu,cpuacct` gives both).
    public var v1: [Controller: String]
    /// The cgroup2 path.
    public var unified: String?

    /// Parses the text of a `/proc/PID/cgroup` file; lines it cannot read are skipped.
    public static func parse(_ text: String) -> ProcessCgroups {
        var v1: [Controller: String] = [:]
        var unified: String?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                unified = path
            } else {
                for name in fields[1].split(separator: ",") { v1[Controller(String(name))] = path }
            }
        }
        return ProcessCgroups(v1: v1, unified: unified)
    }
}
