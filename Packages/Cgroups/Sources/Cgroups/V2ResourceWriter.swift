import SystemPackage

/// Writes ``CgroupResources`` into a cgroup2 directory.
struct V2ResourceWriter {
    let directory: FilePath

    /// The interface file `name`; a missing one means its controller is not
    /// enabled for this cgroup (`cgroup.subtree_control` of the parent).
    func file(_ name: String) throws(CgroupError) -> FilePath {
        let path = directory.appending(name)
        guard CgroupFile.exists(path) else {
            let controller = name.prefix { $0 != "." }
            throw CgroupError(
                .controllerUnavailable, operation: "apply \(name)", path: path,
                detail: "the \(controller) controller is not enabled for this cgroup2 directory")
        }
        return path
    }

    func apply(_ resources: CgroupResources) throws(CgroupError) {
        if !resources.devices.isEmpty {
            throw CgroupError(
                .unsupported, operation: "apply devices", path: directory,
                detail: "cgroup2 controls devices with an eBPF program, which this library does not load")
        }
        if let memory = resources.memory { try applyMemory(memory) }
        if let cpu = resources.cpu { try applyCPU(cpu) }
        if let pids = resources.pids { try CgroupFile.write(pids.limit > 0 ? "\(pids.limit)" : "max", to: try file("pids.max")) }
        if let blockIO = resources.blockIO { try applyIO(blockIO) }
        for limit in resources.hugepageLimits {
            try CgroupFile.write("\(limit.limit)", to: try file("hugetlb.\(limit.pageSize).max"))
        }
        for (device, limit) in resources.rdma.sorted(by: { $0.key < $1.key }) {
            try CgroupFile.write(RdmaLine.format(device, limit), to: try file("rdma.max"))
        }
        for (key, value) in resources.unified.sorted(by: { $0.key < $1.key }) {
            try CgroupFile.write(value, to: try file(key))
        }
    }

    /// Swappiness, kernel and TCP kernel limits have no cgroup2 file; the
    /// kernel accounts kernel memory in `memory.max`. They are not written.
    private func applyMemory(_ memory: CgroupResources.Memory) throws(CgroupError) {
        if let swap = try ResourceConversion.swapMax(swap: memory.swap, limit: memory.limit) {
            try CgroupFile.write(swap, to: try file("memory.swap.max"))
        }
        if let limit = memory.limit { try CgroupFile.write(ResourceConversion.v2Limit(limit), to: try file("memory.max")) }
        if let reservation = memory.reservation {
            try CgroupFile.write(ResourceConversion.v2Limit(reservation), to: try file("memory.low"))
        }
        if memory.disableOOMKiller == true {
            throw CgroupError(
                .unsupported, operation: "apply memory.disableOOMKiller", path: directory,
                detail: "cgroup2 has no switch for the OOM killer")
        }
    }

    private func applyCPU(_ cpu: CgroupResources.CPU) throws(CgroupError) {
        if let shares = cpu.shares, let weight = ResourceConversion.cpuWeight(fromShares: shares) {
            try CgroupFile.write("\(weight)", to: try file("cpu.weight"))
        }
        let quota = cpu.quota.flatMap { $0 == 0 ? nil : $0 }
        let period = cpu.period.flatMap { $0 == 0 ? nil : $0 }
        if quota != nil || period != nil {
            let path = try file("cpu.max")
            // cpu.max takes "$QUOTA $PERIOD"; keep the current half that is not given.
            let current = try CgroupFile.readLine(path).split(separator: " ")
            let quotaText = quota.map { $0 < 0 ? "max" : "\($0)" } ?? current.first.map(String.init) ?? "max"
            let periodText = period.map(String.init) ?? (current.count > 1 ? String(current[1]) : "100000")
            try CgroupFile.write("\(quotaText) \(periodText)", to: path)
        }
        if let burst = cpu.burst { try CgroupFile.write("\(burst)", to: try file("cpu.max.burst")) }
        if let idle = cpu.idle { try CgroupFile.write("\(idle)", to: try file("cpu.idle")) }
        if cpu.realtimeRuntime != nil || cpu.realtimePeriod != nil {
            throw CgroupError(
                .unsupported, operation: "apply cpu.realtime", path: directory, detail: "cgroup2 has no realtime bandwidth files")
        }
        if let cpus = cpu.cpus, !cpus.isEmpty { try CgroupFile.write(cpus, to: try file("cpuset.cpus")) }
        if let mems = cpu.mems, !mems.isEmpty { try CgroupFile.write(mems, to: try file("cpuset.mems")) }
    }

    private func applyIO(_ blockIO: CgroupResources.BlockIO) throws(CgroupError) {
        if let weight = blockIO.weight, let converted = ResourceConversion.ioWeight(fromBlkioWeight: weight) {
            try CgroupFile.write("default \(converted)", to: try file("io.weight"))
        }
        for device in blockIO.weightDevice {
            if let weight = device.weight, let converted = ResourceConversion.ioWeight(fromBlkioWeight: weight) {
                try CgroupFile.write("\(device.major):\(device.minor) \(converted)", to: try file("io.weight"))
            }
        }
        let throttles: [(String, [CgroupResources.ThrottleDevice])] = [
            ("rbps", blockIO.throttleReadBpsDevice), ("wbps", blockIO.throttleWriteBpsDevice),
            ("riops", blockIO.throttleReadIOPSDevice), ("wiops", blockIO.throttleWriteIOPSDevice),
        ]
        for (key, devices) in throttles {
            for device in devices {
                try CgroupFile.write("\(device.major):\(device.minor) \(key)=\(device.rate)", to: try file("io.max"))
            }
        }
    }
}
