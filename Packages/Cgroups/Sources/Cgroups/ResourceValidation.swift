import SystemPackage

/// Checks a ``CgroupResources`` before anything is written, so a bad value
/// is reported with its field and nothing is half-applied.
enum ResourceValidation {
    static func check(
        _ resources: CgroupResources, cpuPresent: FilePath = "/sys/devices/system/cpu/present",
        nodesOnline: FilePath = "/sys/devices/system/node/online"
    ) throws(CgroupError) {
        if let memory = resources.memory {
            for (name, value) in [
                ("memory.limit", memory.limit), ("memory.reservation", memory.reservation), ("memory.swap", memory.swap),
                ("memory.kernel", memory.kernel), ("memory.kernelTCP", memory.kernelTCP),
            ] {
                if let value, value < -1 { throw invalid(name, "\(value)", "must be -1 (unlimited) or a byte count") }
            }
            if let swappiness = memory.swappiness, swappiness > 100 { throw invalid("memory.swappiness", "\(swappiness)", "must be 0…100") }
            if let limit = memory.limit, let swap = memory.swap, limit > 0, swap > 0, swap < limit {
                throw invalid("memory.swap", "\(swap)", "memory+swap is below the memory limit \(limit)")
            }
        }
        if let cpu = resources.cpu {
            if let period = cpu.period, period != 0, !(1000...1_000_000).contains(period) {
                throw invalid("cpu.period", "\(period)", "must be 1000…1000000 µs")
            }
            if let quota = cpu.quota, quota != 0, quota != -1, quota < 1000 {
                throw invalid("cpu.quota", "\(quota)", "must be -1 (unlimited) or at least 1000 µs")
            }
            if let idle = cpu.idle, idle != 0, idle != 1 { throw invalid("cpu.idle", "\(idle)", "must be 0 or 1") }
            if let cpus = cpu.cpus, !cpus.isEmpty { try checkList(cpus, field: "cpu.cpus", against: cpuPresent, what: "CPU") }
            if let mems = cpu.mems, !mems.isEmpty { try checkList(mems, field: "cpu.mems", against: nodesOnline, what: "memory node") }
        }
        if let blockIO = resources.blockIO {
            for (name, value) in [("blockIO.weight", blockIO.weight), ("blockIO.leafWeight", blockIO.leafWeight)] {
                if let value, value != 0, !(10...1000).contains(value) { throw invalid(name, "\(value)", "must be 10…1000") }
            }
            for device in blockIO.weightDevice {
                if let weight = device.weight, !(10...1000).contains(weight) {
                    throw invalid("blockIO.weightDevice", "\(device.major):\(device.minor) \(weight)", "must be 10…1000")
                }
            }
            let throttles =
                blockIO.throttleReadBpsDevice + blockIO.throttleWriteBpsDevice + blockIO.throttleReadIOPSDevice
                + blockIO.throttleWriteIOPSDevice
            for device in throttles where device.major < 0 || device.minor < 0 {
                throw invalid("blockIO.throttle", "\(device.major):\(device.minor)", "device numbers cannot be negative")
            }
        }
        if !resources.hugepageLimits.isEmpty {
            let sizes = HugePageSizes.supported()
            for limit in resources.hugepageLimits where !sizes.contains(limit.pageSize) {
                throw invalid("hugepageLimits.pageSize", limit.pageSize, "this host has \(sizes.sorted().joined(separator: ", "))")
            }
        }
        for rule in resources.devices {
            if let type = rule.type, !["a", "b", "c"].contains(type) { throw invalid("devices.type", type, "must be a, b or c") }
            if let access = rule.access, access.isEmpty || !access.allSatisfy({ "rwm".contains($0) }) {
                throw invalid("devices.access", access, "must be some of r, w, m")
            }
        }
        for key in resources.unified.keys where key.isEmpty || key.contains("/") || key == "." || key == ".." || !key.contains(".") {
            throw invalid("unified", key, "not a cgroup2 interface file name")
        }
    }

    static func invalid(_ field: String, _ value: String, _ detail: String) -> CgroupError {
        CgroupError(.invalidValue, operation: "check \(field)", value: value, detail: detail)
    }

    /// A list such as `0-2,4`, each member present in `file` (same syntax).
    static func checkList(_ list: String, field: String, against file: FilePath, what: String) throws(CgroupError) {
        guard let wanted = parseList(list) else { throw invalid(field, list, "not a list such as 0-2,4") }
        guard let text = try? CgroupFile.readLine(file), let present = parseList(text) else { return }
        if let missing = wanted.sorted().first(where: { !present.contains($0) }) {
            throw invalid(field, list, "\(what) \(missing) is beyond those present (\(text))")
        }
    }

    /// The members of a kernel list (`0-3,5,7-8`), or nil when malformed.
    static func parseList(_ text: String) -> Set<Int>? {
        var members: Set<Int> = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = bounds.first.flatMap({ Int($0) }), first >= 0 else { return nil }
            if bounds.count == 1 {
                members.insert(first)
            } else if bounds.count == 2, let last = Int(bounds[1]), last >= first, last - first < 65_536 {
                members.formUnion(first...last)
            } else {
                return nil
            }
        }
        return members.isEmpty ? nil : members
    }
}
