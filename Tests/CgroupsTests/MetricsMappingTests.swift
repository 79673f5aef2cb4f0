import Cgroups
import Foundation
import Testing

extension CgroupsTests {
    /// The snapshot types must map field by field onto containerd's metrics
    /// messages, which the shim returns. This reads the messages from the
    /// .proto files of Debian's golang-github-containerd-cgroups-dev (what
    /// containerd 1.6.20 builds with) and checks that every field of every
    /// message has a property of the same name in the matching Swift type.
    @Suite struct MetricsMapping {
        static let protoRoot = "/usr/share/gocode/src/github.com/containerd/cgroups"

        /// message name → field names, from a .proto file.
        static func messages(_ path: String) throws -> [String: [String]] {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var result: [String: [String]] = [:]
            var current: String?
            for rawLine in text.split(separator: "\n") {
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("message "), let name = line.split(separator: " ").dropFirst().first {
                    current = String(name)
                    result[String(name)] = []
                } else if line == "}" {
                    current = nil
                } else if let current, let equals = line.firstIndex(of: "="), !line.hasPrefix("//") {
                    let words = line[..<equals].split(separator: " ")
                    if let field = words.last { result[current, default: []].append(String(field)) }
                }
            }
            return result
        }

        static func normalized(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "").lowercased() }

        static func properties(of value: Any) -> Set<String> {
            Set(Mirror(reflecting: value).children.compactMap { $0.label.map(normalized) })
        }

        func check(_ file: String, _ types: [String: Any], notFromCgroupfs: Set<String>) throws {
            let messages = try Self.messages("\(Self.protoRoot)/\(file)")
            #expect(messages.count >= types.count, "read \(messages.keys.sorted())")
            for (message, fields) in messages {
                guard let value = types[message] else {
                    #expect(notFromCgroupfs.contains(message), "no Swift type for \(message)")
                    continue
                }
                let properties = Self.properties(of: value)
                for field in fields where !notFromCgroupfs.contains("\(message).\(field)") {
                    #expect(properties.contains(Self.normalized(field)), "\(message).\(field) has no counterpart in \(type(of: value))")
                }
            }
        }

        @Test func v1MetricsMessage() throws {
            try check(
                "stats/v1/metrics.proto",
                [
                    "Metrics": CgroupV1Stats(), "HugetlbStat": CgroupV1Stats.Hugetlb(), "PidsStat": CgroupV1Stats.Pids(),
                    "CPUStat": CgroupV1Stats.CPU(), "CPUUsage": CgroupV1Stats.CPU.Usage(), "Throttle": CgroupV1Stats.CPU.Throttle(),
                    "MemoryStat": CgroupV1Stats.Memory(), "MemoryEntry": CgroupV1Stats.Memory.Entry(),
                    "MemoryOomControl": CgroupV1Stats.MemoryOomControl(), "BlkIOStat": CgroupV1Stats.BlkIO(),
                    "BlkIOEntry": CgroupV1Stats.BlkIO.Entry(), "RdmaStat": CgroupV1Stats.Rdma(), "RdmaEntry": RdmaEntry(),
                ],
                // Network and task-state counters come from the network namespace and
                // taskstats, not from cgroup files; containerd's cgroups package leaves them empty too.
                notFromCgroupfs: ["NetworkStat", "CgroupStats", "Metrics.network", "Metrics.cgroup_stats"])
        }

        @Test func v2MetricsMessage() throws {
            try check(
                "v2/stats/metrics.proto",
                [
                    "Metrics": CgroupV2Stats(), "PidsStat": CgroupV2Stats.Pids(), "CPUStat": CgroupV2Stats.CPU(),
                    "MemoryStat": CgroupV2Stats.Memory(), "MemoryEvents": CgroupV2Stats.MemoryEvents(), "RdmaStat": CgroupV1Stats.Rdma(),
                    "RdmaEntry": RdmaEntry(), "IOStat": CgroupV2Stats.IO(), "IOEntry": CgroupV2Stats.IO.Entry(),
                    "HugeTlbStat": CgroupV2Stats.Hugetlb(),
                ],
                notFromCgroupfs: [])
        }
    }
}
