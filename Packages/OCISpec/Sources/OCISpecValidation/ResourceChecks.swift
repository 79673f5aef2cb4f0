import OCISpec

/// Checks of `linux.resources`, with the ranges the cgroup files accept.
enum ResourceChecks {
    static func check(_ resources: LinuxResources, at path: String, into problems: inout ProblemList) {
        for (index, rule) in (resources.devices ?? []).enumerated() {
            let rulePath = "\(path).devices[\(index)]"
            if let type = rule.type, !["a", "c", "b"].contains(type) {
                problems.add("\(rulePath).type", .invalidValue, "must be a, c or b, got \"\(type)\"")
            }
            if let access = rule.access, access.isEmpty || !access.allSatisfy({ "rwm".contains($0) }) {
                problems.add("\(rulePath).access", .invalidValue, "must combine r, w and m, got \"\(access)\"")
            }
            for (name, value) in [("major", rule.major), ("minor", rule.minor)] {
                if let value, value < -1 {
                    problems.add("\(rulePath).\(name)", .outOfRange, "must be a device number or -1 for any, got \(value)")
                }
            }
        }
        if let memory = resources.memory {
            checkMemory(memory, at: "\(path).memory", into: &problems)
        }
        if let cpu = resources.cpu {
            checkCPU(cpu, at: "\(path).cpu", into: &problems)
        }
        if let limit = resources.pids?.limit, limit < -1 {
            problems.add("\(path).pids.limit", .outOfRange, "must be positive, or 0 or -1 for no limit, got \(limit)")
        }
        if let blockIO = resources.blockIO {
            checkBlockIO(blockIO, at: "\(path).blockIO", into: &problems)
        }
        var pageSizes: [String: Int] = [:]
        for (index, limit) in (resources.hugepageLimits ?? []).enumerated() {
            let limitPath = "\(path).hugepageLimits[\(index)].pageSize"
            if !ListSyntax.isPageSize(limit.pageSize) {
                problems.add(limitPath, .invalidValue, "must be a size like 2MB or 1GB, got \"\(limit.pageSize)\"")
            }
            if let first = pageSizes[limit.pageSize] {
                problems.add(limitPath, .duplicate, "\(limit.pageSize) is already limited at \(path).hugepageLimits[\(first)]")
            } else {
                pageSizes[limit.pageSize] = index
            }
        }
        for key in (resources.unified ?? [:]).keys.sorted() {
            if key.isEmpty || key.contains("/") || !key.contains(".") {
                problems.add("\(path).unified.\(key)", .invalidValue, "must name a cgroup v2 file like memory.high")
            }
        }
    }

    private static func checkMemory(_ memory: LinuxMemory, at path: String, into problems: inout ProblemList) {
        let values: [(String, Int64?)] = [
            ("limit", memory.limit), ("reservation", memory.reservation), ("swap", memory.swap),
            ("kernel", memory.kernel), ("kernelTCP", memory.kernelTCP),
        ]
        for (name, value) in values {
            if let value, value < -1 {
                problems.add("\(path).\(name)", .outOfRange, "must be a byte count or -1 for no limit, got \(value)")
            }
        }
        if let limit = memory.limit, let swap = memory.swap, limit > 0, swap > 0, swap < limit {
            problems.add("\(path).swap", .conflict, "memory+swap (\(swap)) must not be below the memory limit (\(limit))")
        }
        if let limit = memory.limit, let reservation = memory.reservation, limit > 0, reservation > limit {
            problems.add("\(path).reservation", .conflict, "the reservation (\(reservation)) exceeds the limit (\(limit))")
        }
        problems.requireRange("\(path).swappiness", memory.swappiness, 0...100, what: "swappiness")
    }

    private static func checkCPU(_ cpu: LinuxCPU, at path: String, into problems: inout ProblemList) {
        if let shares = cpu.shares, shares != 0 {
            problems.requireRange("\(path).shares", shares, 2...262_144, what: "cpu shares")
        }
        if let quota = cpu.quota, quota != -1, quota < 1000 {
            problems.add("\(path).quota", .outOfRange, "must be at least 1000 µs, or -1 for no limit, got \(quota)")
        }
        if let period = cpu.period, period != 0 {
            problems.requireRange("\(path).period", period, 1000...1_000_000, what: "the CFS period in µs")
        }
        if let burst = cpu.burst, let quota = cpu.quota, quota > 0, burst > UInt64(quota) {
            problems.add("\(path).burst", .conflict, "burst (\(burst)) must not exceed quota (\(quota))")
        }
        if let runtime = cpu.realtimeRuntime, let period = cpu.realtimePeriod, runtime > 0, UInt64(runtime) > period {
            problems.add("\(path).realtimeRuntime", .conflict, "realtime runtime exceeds realtime period")
        }
        if let idle = cpu.idle, idle != 0, idle != 1 {
            problems.add("\(path).idle", .outOfRange, "must be 0 or 1, got \(idle)")
        }
        for (name, list) in [("cpus", cpu.cpus), ("mems", cpu.mems)] {
            guard let list, !list.isEmpty else { continue }
            guard let numbers = ListSyntax.numbers(in: list) else {
                problems.add("\(path).\(name)", .invalidValue, "not a list like 0-3,7: \"\(list)\"")
                continue
            }
            if name == "cpus", let host = HostTopology.cpuCount, let beyond = numbers.first(where: { $0 >= host }) {
                problems.add("\(path).cpus", .outOfRange, "CPU \(beyond) does not exist; this host has CPUs 0-\(host - 1)")
            }
        }
    }

    private static func checkBlockIO(_ blockIO: LinuxBlockIO, at path: String, into problems: inout ProblemList) {
        problems.requireRange("\(path).weight", blockIO.weight, 10...1000, what: "the blkio weight")
        problems.requireRange("\(path).leafWeight", blockIO.leafWeight, 10...1000, what: "the blkio leaf weight")
        for (index, device) in (blockIO.weightDevice ?? []).enumerated() {
            problems.requireRange("\(path).weightDevice[\(index)].weight", device.weight, 10...1000, what: "a device weight")
            problems.requireRange("\(path).weightDevice[\(index)].leafWeight", device.leafWeight, 10...1000, what: "a device leaf weight")
        }
        let throttles: [(String, [LinuxThrottleDevice]?)] = [
            ("throttleReadBpsDevice", blockIO.throttleReadBpsDevice), ("throttleWriteBpsDevice", blockIO.throttleWriteBpsDevice),
            ("throttleReadIOPSDevice", blockIO.throttleReadIOPSDevice), ("throttleWriteIOPSDevice", blockIO.throttleWriteIOPSDevice),
        ]
        for (name, list) in throttles {
            for (index, device) in (list ?? []).enumerated() where device.major < 0 || device.minor < 0 {
                problems.add("\(path).\(name)[\(index)]", .outOfRange, "major and minor must not be negative")
            }
        }
    }
}

/// Facts about this host that bound resource values.
enum HostTopology {
    /// The number of CPUs the kernel could bring online (/sys/devices/system/cpu/possible).
    static let cpuCount: Int? = {
        guard let bytes = try? DocumentFile.read("/sys/devices/system/cpu/possible"),
            let text = String(validating: bytes, as: UTF8.self),
            let numbers = ListSyntax.numbers(in: text.filter { !$0.isWhitespace }),
            let last = numbers.max()
        else { return nil }
        return last + 1
    }()
}
