import SystemPackage

/// Reads a cgroup2 statistics snapshot, the files containerd's v2 cgroups
/// package reads, into ``CgroupV2Stats``. A controller whose files are
/// absent (not enabled for the cgroup) leaves its section nil.
struct V2StatsReader {
    let directory: FilePath
    private let files: CgroupDirectory

    init(directory: FilePath) {
        self.directory = directory
        files = CgroupDirectory(directory)
    }

    func read() throws(CgroupError) -> CgroupV2Stats {
        var stats = CgroupV2Stats()
        if let current = try files.readUInt64IfPresent("pids.current") {
            var pids = CgroupV2Stats.Pids()
            pids.current = current
            pids.limit = try files.readUInt64("pids.max")
            stats.pids = pids
        }
        if let text = try files.readIfPresent("cpu.stat") {
            let values = KeyedFile.flat(text)
            var cpu = CgroupV2Stats.CPU()
            cpu.usageUsec = values["usage_usec"] ?? 0
            cpu.userUsec = values["user_usec"] ?? 0
            cpu.systemUsec = values["system_usec"] ?? 0
            cpu.nrPeriods = values["nr_periods"] ?? 0
            cpu.nrThrottled = values["nr_throttled"] ?? 0
            cpu.throttledUsec = values["throttled_usec"] ?? 0
            stats.cpu = cpu
        }
        if let text = try files.readIfPresent("memory.stat") { stats.memory = try memory(KeyedFile.flat(text)) }
        if let text = try files.readIfPresent("memory.events") { stats.memoryEvents = Self.memoryEvents(KeyedFile.flat(text)) }
        if let text = try files.readIfPresent("io.stat") { stats.io = Self.io(text) }
        stats.hugetlb = try hugetlb()
        if CgroupFile.exists(directory.appending("rdma.current")) { stats.rdma = try RdmaReader.read(directory) }
        stats.pressure = PressureReader.read(files)
        return stats
    }

    private func memory(_ raw: [String: UInt64]) throws(CgroupError) -> CgroupV2Stats.Memory {
        var memory = CgroupV2Stats.Memory()
        memory.raw = raw
        let fields: [(String, WritableKeyPath<CgroupV2Stats.Memory, UInt64>)] = [
            ("anon", \.anon), ("file", \.file), ("kernel_stack", \.kernelStack), ("slab", \.slab), ("sock", \.sock),
            ("shmem", \.shmem), ("file_mapped", \.fileMapped), ("file_dirty", \.fileDirty), ("file_writeback", \.fileWriteback),
            ("anon_thp", \.anonThp), ("inactive_anon", \.inactiveAnon), ("active_anon", \.activeAnon),
            ("inactive_file", \.inactiveFile), ("active_file", \.activeFile), ("unevictable", \.unevictable),
            ("slab_reclaimable", \.slabReclaimable), ("slab_unreclaimable", \.slabUnreclaimable), ("pgfault", \.pgfault),
            ("pgmajfault", \.pgmajfault), ("workingset_refault", \.workingsetRefault),
            ("workingset_activate", \.workingsetActivate), ("workingset_nodereclaim", \.workingsetNodereclaim),
            ("pgrefill", \.pgrefill), ("pgscan", \.pgscan), ("pgsteal", \.pgsteal), ("pgactivate", \.pgactivate),
            ("pgdeactivate", \.pgdeactivate), ("pglazyfree", \.pglazyfree), ("pglazyfreed", \.pglazyfreed),
            ("thp_fault_alloc", \.thpFaultAlloc), ("thp_collapse_alloc", \.thpCollapseAlloc),
        ]
        for (key, field) in fields { memory[keyPath: field] = raw[key] ?? 0 }
        // Newer kernels split workingset counters by anon/file; containerd sums none of them, so take the file ones then.
        if raw["workingset_refault"] == nil { memory.workingsetRefault = raw["workingset_refault_file"] ?? 0 }
        if raw["workingset_activate"] == nil { memory.workingsetActivate = raw["workingset_activate_file"] ?? 0 }
        memory.usage = try files.readUInt64IfPresent("memory.current") ?? 0
        memory.usageLimit = try files.readUInt64IfPresent("memory.max") ?? 0
        memory.swapUsage = try files.readUInt64IfPresent("memory.swap.current") ?? 0
        memory.swapLimit = try files.readUInt64IfPresent("memory.swap.max") ?? 0
        memory.peak = try files.readUInt64IfPresent("memory.peak")
        return memory
    }

    func memoryEvents() throws(CgroupError) -> CgroupV2Stats.MemoryEvents {
        Self.memoryEvents(try files.flat("memory.events"))
    }

    static func memoryEvents(_ values: [String: UInt64]) -> CgroupV2Stats.MemoryEvents {
        var events = CgroupV2Stats.MemoryEvents()
        events.low = values["low"] ?? 0
        events.high = values["high"] ?? 0
        events.max = values["max"] ?? 0
        events.oom = values["oom"] ?? 0
        events.oomKill = values["oom_kill"] ?? 0
        return events
    }

    private static func io(_ text: String) -> CgroupV2Stats.IO {
        var io = CgroupV2Stats.IO()
        for (name, values) in KeyedFile.nested(text) {
            guard let device = KeyedFile.device(Substring(name)) else { continue }
            var entry = CgroupV2Stats.IO.Entry()
            entry.major = device.major
            entry.minor = device.minor
            entry.rbytes = values["rbytes"].flatMap { UInt64($0) } ?? 0
            entry.wbytes = values["wbytes"].flatMap { UInt64($0) } ?? 0
            entry.rios = values["rios"].flatMap { UInt64($0) } ?? 0
            entry.wios = values["wios"].flatMap { UInt64($0) } ?? 0
            io.usage.append(entry)
        }
        return io
    }

    func hugetlb() throws(CgroupError) -> [CgroupV2Stats.Hugetlb] {
        var result: [CgroupV2Stats.Hugetlb] = []
        for size in HugePageSizes.supported() {
            guard let current = try files.readUInt64IfPresent("hugetlb.\(size).current") else { continue }
            var entry = CgroupV2Stats.Hugetlb()
            entry.pagesize = size
            entry.current = current
            entry.max = try files.readUInt64("hugetlb.\(size).max")
            entry.failcnt = try files.readIfPresent("hugetlb.\(size).events").flatMap { KeyedFile.flat($0)["max"] } ?? 0
            result.append(entry)
        }
        return result
    }
}
