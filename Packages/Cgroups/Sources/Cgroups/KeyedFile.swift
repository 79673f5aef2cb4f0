import SystemPackage

/// Parsers for the two shapes of cgroup statistics files: flat keyed
/// (`key value` per line: memory.stat, cpu.stat, memory.events) and nested
/// keyed (`8:0 rbytes=1 wbytes=2`: io.stat, rdma, PSI lines).
enum KeyedFile {
    /// `key value` lines; lines that are not a key and a number are skipped.
    static func flat(_ text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 2, let value = UInt64(fields[1]) else { continue }
            values[String(fields[0])] = value
        }
        return values
    }

    static func flat(at path: FilePath) throws(CgroupError) -> [String: UInt64] {
        flat(try CgroupFile.read(path))
    }

    /// `name key=value key=value` lines, by name.
    static func nested(_ text: String) -> [(name: String, values: [String: String])] {
        var rows: [(String, [String: String])] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let name = fields.first else { continue }
            var values: [String: String] = [:]
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { values[String(pair[0])] = String(pair[1]) }
            }
            rows.append((String(name), values))
        }
        return rows
    }

    /// `major:minor` into numbers.
    static func device(_ text: Substring) -> (major: UInt64, minor: UInt64)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let major = UInt64(parts[0]), let minor = UInt64(parts[1]) else { return nil }
        return (major, minor)
    }
}
