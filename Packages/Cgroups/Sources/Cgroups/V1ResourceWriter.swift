import SystemPackage

/// Writes ``CgroupResources`` into a cgroup's v1 controller directories.
struct V1ResourceWriter {
    let cgroup: Cgroup

    func directory(_ controller: Controller) throws(CgroupError) -> FilePath {
        guard let directory = cgroup.v1Directories[controller] else { throw cgroup.unavailable(controller.rawValue, for: "apply") }
        return directory
    }

    func apply(_ resources: CgroupResources) throws(CgroupError) {
        if !resources.devices.isEmpty { try applyDevices(resources.devices) }
        if let memory = resources.memory { try applyMemory(memory) }
        if let cpu = resources.cpu { try applyCPU(cpu) }
        if let pids = resources.pids { try applyPids(pids) }
        if let blockIO = resources.blockIO { try applyBlockIO(blockIO) }
        for limit in resources.hugepageLimits {
            try CgroupFile.write("\(limit.limit)", to: try directory(.hugetlb).appending("hugetlb.\(limit.pageSize).limit_in_bytes"))
        }
        if let network = resources.network {
            if let classID = network.classID { try CgroupFile.write("\(classID)", to: try directory(.netCls).appending("net_cls.classid")) }
            for entry in network.priorities {
                try CgroupFile.write("\(entry.name) \(entry.priority)", to: try directory(.netPrio).appending("net_prio.ifpriomap"))
            }
        }
        for (device, limit) in resources.rdma.sorted(by: { $0.key < $1.key }) {
            try CgroupFile.write(RdmaLine.format(device, limit), to: try directory(.rdma).appending("rdma.max"))
        }
    }

    private func applyDevices(_ rules: [CgroupResources.DeviceRule]) throws(CgroupError) {
        let base = try directory(.devices)
        for rule in rules {
            let major = rule.major.map(String.init) ?? "*"
            let minor = rule.minor.map(String.init) ?? "*"
            let type = rule.type ?? "a"
            let line = type == "a" && rule.major == nil && rule.minor == nil ? "a" : "\(type) \(major):\(minor) \(rule.access ?? "rwm")"
            try CgroupFile.write(line, to: base.appending(rule.allow ? "devices.allow" : "devices.deny"))
        }
    }

    private func applyMemory(_ memory: CgroupResources.Memory) throws(CgroupError) {
        let base = try directory(.memory)
        let limitFile = base.appending("memory.limit_in_bytes")
        let swapFile = base.appending("memory.memsw.limit_in_bytes")
        if memory.swap != nil, !CgroupFile.exists(swapFile) {
            throw CgroupError(
                .controllerUnavailable, operation: "apply memory.swap", path: swapFile, detail: "swap accounting is off in this kernel")
        }
        switch (memory.limit, memory.swap) {
        case (let limit?, let swap?):
            // The kernel keeps limit <= memsw at every moment: raise memsw first when the limit grows.
            do {
                try CgroupFile.write("\(limit)", to: limitFile)
                try CgroupFile.write("\(swap)", to: swapFile)
            } catch  where error.kind == .invalidValue {
                try CgroupFile.write("\(swap)", to: swapFile)
                try CgroupFile.write("\(limit)", to: limitFile)
            }
        case (let limit?, nil):
            try CgroupFile.write("\(limit)", to: limitFile)
        case (nil, let swap?):
            try CgroupFile.write("\(swap)", to: swapFile)
        case (nil, nil):
            break
        }
        if let reservation = memory.reservation { try CgroupFile.write("\(reservation)", to: base.appending("memory.soft_limit_in_bytes")) }
        if let kernel = memory.kernel { try CgroupFile.write("\(kernel)", to: base.appending("memory.kmem.limit_in_bytes")) }
        if let tcp = memory.kernelTCP { try CgroupFile.write("\(tcp)", to: base.appending("memory.kmem.tcp.limit_in_bytes")) }
        if let swappiness = memory.swappiness { try CgroupFile.write("\(swappiness)", to: base.appending("memory.swappiness")) }
        if let disable = memory.disableOOMKiller { try CgroupFile.write(disable ? "1" : "0", to: base.appending("memory.oom_control")) }
        if let hierarchy = memory.useHierarchy { try CgroupFile.write(hierarchy ? "1" : "0", to: base.appending("memory.use_hierarchy")) }
    }

    private func applyCPU(_ cpu: CgroupResources.CPU) throws(CgroupError) {
        let needsCPU =
            cpu.shares != nil || cpu.quota != nil || cpu.period != nil || cpu.burst != nil || cpu.realtimeRuntime != nil
            || cpu.realtimePeriod != nil || cpu.idle != nil
        if needsCPU {
            let base = try directory(.cpu)
            if let shares = cpu.shares, shares != 0 { try CgroupFile.write("\(shares)", to: base.appending("cpu.shares")) }
            let periodFile = base.appending("cpu.cfs_period_us")
            let quotaFile = base.appending("cpu.cfs_quota_us")
            switch (cpu.period.flatMap { $0 == 0 ? nil : $0 }, cpu.quota.flatMap { $0 == 0 ? nil : $0 }) {
            case (let period?, let quota?):
                do {
                    try CgroupFile.write("\(period)", to: periodFile)
                    try CgroupFile.write("\(quota)", to: quotaFile)
                } catch  where error.kind == .invalidValue {
                    try CgroupFile.write("\(quota)", to: quotaFile)
                    try CgroupFile.write("\(period)", to: periodFile)
                }
            case (let period?, nil): try CgroupFile.write("\(period)", to: periodFile)
            case (nil, let quota?): try CgroupFile.write("\(quota)", to: quotaFile)
            case (nil, nil): break
            }
            if let burst = cpu.burst { try CgroupFile.write("\(burst)", to: base.appending("cpu.cfs_burst_us")) }
            if let period = cpu.realtimePeriod { try CgroupFile.write("\(period)", to: base.appending("cpu.rt_period_us")) }
            if let runtime = cpu.realtimeRuntime { try CgroupFile.write("\(runtime)", to: base.appending("cpu.rt_runtime_us")) }
            if let idle = cpu.idle { try CgroupFile.write("\(idle)", to: base.appending("cpu.idle")) }
        }
        if let cpus = cpu.cpus, !cpus.isEmpty { try CgroupFile.write(cpus, to: try directory(.cpuset).appending("cpuset.cpus")) }
        if let mems = cpu.mems, !mems.isEmpty { try CgroupFile.write(mems, to: try directory(.cpuset).appending("cpuset.mems")) }
    }

    private func applyPids(_ pids: CgroupResources.Pids) throws(CgroupError) {
        try CgroupFile.write(pids.limit > 0 ? "\(pids.limit)" : "max", to: try directory(.pids).appending("pids.max"))
    }

    private func applyBlockIO(_ blockIO: CgroupResources.BlockIO) throws(CgroupError) {
        let base = try directory(.blkio)
        // CFQ's files, or BFQ's when that is the scheduler (blkio.bfq.weight).
        let weightPrefix = CgroupFile.exists(base.appending("blkio.weight")) ? "blkio." : "blkio.bfq."
        func weightFile(_ name: String) throws(CgroupError) -> FilePath {
            let path = base.appending(weightPrefix + name)
            guard CgroupFile.exists(path) else {
                throw CgroupError(
                    .controllerUnavailable, operation: "apply blockIO.\(name)", path: path, detail: "no proportional-weight I/O scheduler")
            }
            return path
        }
        if let weight = blockIO.weight, weight != 0 { try CgroupFile.write("\(weight)", to: try weightFile("weight")) }
        if let leaf = blockIO.leafWeight, leaf != 0 { try CgroupFile.write("\(leaf)", to: try weightFile("leaf_weight")) }
        for device in blockIO.weightDevice {
            if let weight = device.weight {
                try CgroupFile.write("\(device.major):\(device.minor) \(weight)", to: try weightFile("weight_device"))
            }
            if let leaf = device.leafWeight {
                try CgroupFile.write("\(device.major):\(device.minor) \(leaf)", to: try weightFile("leaf_weight_device"))
            }
        }
        let throttles: [(String, [CgroupResources.ThrottleDevice])] = [
            ("blkio.throttle.read_bps_device", blockIO.throttleReadBpsDevice),
            ("blkio.throttle.write_bps_device", blockIO.throttleWriteBpsDevice),
            ("blkio.throttle.read_iops_device", blockIO.throttleReadIOPSDevice),
            ("blkio.throttle.write_iops_device", blockIO.throttleWriteIOPSDevice),
        ]
        for (file, devices) in throttles {
            for device in devices { try CgroupFile.write("\(device.major):\(device.minor) \(device.rate)", to: base.appending(file)) }
        }
    }
}

/// `rdma.max` lines: `mlx4_0 hca_handle=2 hca_object=2000`.
enum RdmaLine {
    static func format(_ device: String, _ limit: CgroupResources.RdmaLimit) -> String {
        var line = device
        line += " hca_handle=" + (limit.hcaHandles.map(String.init) ?? "max")
        line += " hca_object=" + (limit.hcaObjects.map(String.init) ?? "max")
        return line
    }
}
