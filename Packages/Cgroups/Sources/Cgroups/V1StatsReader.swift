import CCgroupsLinux
import SystemPackage

/// Reads a v1 statistics snapshot, the files containerd's v1 cgroups
/// package reads, into ``CgroupV1Stats``.
struct V1StatsReader {
    let cgroup: Cgroup

    func read() throws(CgroupError) -> CgroupV1Stats {
        var stats = CgroupV1Stats()
        let directories = cgroup.v1Directories
        if let directory = directories[.hugetlb] {
            let files = CgroupDirectory(directory)
            stats.hugetlb = try HugePageSizes.supported().map { size throws(CgroupError) in
                var entry = CgroupV1Stats.Hugetlb()
                entry.pagesize = size
                entry.usage = try files.readUInt64("hugetlb.\(size).usage_in_bytes")
                entry.max = try files.readUInt64("hugetlb.\(size).max_usage_in_bytes")
                entry.failcnt = try files.readUInt64("hugetlb.\(size).failcnt")
                return entry
            }
        } else if cgroup.mode == .hybrid, let unified = cgroup.unifiedDirectory {
            // Hybrid hosts may offer hugetlb only on cgroup2.
            stats.hugetlb = try V2StatsReader(directory: unified).hugetlb().map { v2 in
                var entry = CgroupV1Stats.Hugetlb()
                entry.pagesize = v2.pagesize
                entry.usage = v2.current
                entry.failcnt = v2.failcnt
                return entry
            }
        }
        if let directory = directories[.pids] {
            let files = CgroupDirectory(directory)
            var pids = CgroupV1Stats.Pids()
            pids.current = try files.readUInt64("pids.current")
            let limit = try files.readUInt64("pids.max")
            pids.limit = limit == .max ? 0 : limit
            stats.pids = pids
        }
        if directories[.cpu] != nil || directories[.cpuacct] != nil { stats.cpu = try cpu() }
        if let directory = directories[.memory] {
            let files = CgroupDirectory(directory)
            stats.memory = try memory(files)
            stats.memoryOomControl = try oomControl(files)
        }
        if let directory = directories[.blkio] { stats.blkio = try blkio(CgroupDirectory(directory)) }
        if let directory = directories[.rdma] { stats.rdma = try RdmaReader.read(directory) }
        if let unified = cgroup.unifiedDirectory { stats.pressure = PressureReader.read(CgroupDirectory(unified)) }
        return stats
    }

    private func cpu() throws(CgroupError) -> CgroupV1Stats.CPU {
        var cpu = CgroupV1Stats.CPU()
        if let directory = cgroup.v1Directories[.cpuacct] {
            let files = CgroupDirectory(directory)
            cpu.usage.total = try files.readUInt64("cpuacct.usage")
            cpu.usage.perCpu = try files.read("cpuacct.usage_percpu")
                .split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
            // cpuacct.stat counts USER_HZ ticks; containerd reports nanoseconds.
            let ticks = try files.flat("cpuacct.stat")
            let hz = UInt64(max(ccgroups_clock_ticks(), 1))
            cpu.usage.user = (ticks["user"] ?? 0) * (1_000_000_000 / hz)
            cpu.usage.kernel = (ticks["system"] ?? 0) * (1_000_000_000 / hz)
        }
        if let directory = cgroup.v1Directories[.cpu], let text = try CgroupDirectory(directory).readIfPresent("cpu.stat") {
            let stat = KeyedFile.flat(text)
            cpu.throttling.periods = stat["nr_periods"] ?? 0
            cpu.throttling.throttledPeriods = stat["nr_throttled"] ?? 0
            cpu.throttling.throttledTime = stat["throttled_time"] ?? 0
        }
        return cpu
    }

    private func memory(_ files: CgroupDirectory) throws(CgroupError) -> CgroupV1Stats.Memory {
        var memory = CgroupV1Stats.Memory()
        let raw = try files.flat("memory.stat")
        memory.raw = raw
        let fields: [(String, WritableKeyPath<CgroupV1Stats.Memory, UInt64>)] = [
            ("cache", \.cache), ("rss", \.rss), ("rss_huge", \.rssHuge), ("mapped_file", \.mappedFile), ("dirty", \.dirty),
            ("writeback", \.writeback), ("pgpgin", \.pgPgIn), ("pgpgout", \.pgPgOut), ("pgfault", \.pgFault),
            ("pgmajfault", \.pgMajFault), ("inactive_anon", \.inactiveAnon), ("active_anon", \.activeAnon),
            ("inactive_file", \.inactiveFile), ("active_file", \.activeFile), ("unevictable", \.unevictable),
            ("hierarchical_memory_limit", \.hierarchicalMemoryLimit), ("hierarchical_memsw_limit", \.hierarchicalSwapLimit),
            ("total_cache", \.totalCache), ("total_rss", \.totalRss), ("total_rss_huge", \.totalRssHuge),
            ("total_mapped_file", \.totalMappedFile), ("total_dirty", \.totalDirty), ("total_writeback", \.totalWriteback),
            ("total_pgpgin", \.totalPgPgIn), ("total_pgpgout", \.totalPgPgOut), ("total_pgfault", \.totalPgFault),
            ("total_pgmajfault", \.totalPgMajFault), ("total_inactive_anon", \.totalInactiveAnon),
            ("total_active_anon", \.totalActiveAnon), ("total_inactive_file", \.totalInactiveFile),
            ("total_active_file", \.totalActiveFile), ("total_unevictable", \.totalUnevictable),
        ]
        for (key, field) in fields { memory[keyPath: field] = raw[key] ?? 0 }
        memory.usage = try entry(files, "memory.")
        memory.swap = try entry(files, "memory.memsw.")
        memory.kernel = try entry(files, "memory.kmem.")
        memory.kernelTcp = try entry(files, "memory.kmem.tcp.")
        return memory
    }

    /// `<prefix>usage_in_bytes`, `limit_in_bytes`, `max_usage_in_bytes`, `failcnt`; zero for absent files.
    private func entry(_ files: CgroupDirectory, _ prefix: String) throws(CgroupError) -> CgroupV1Stats.Memory.Entry {
        var entry = CgroupV1Stats.Memory.Entry()
        entry.usage = try files.readUInt64IfPresent(prefix + "usage_in_bytes") ?? 0
        entry.limit = try files.readUInt64IfPresent(prefix + "limit_in_bytes") ?? 0
        entry.max = try files.readUInt64IfPresent(prefix + "max_usage_in_bytes") ?? 0
        entry.failcnt = try files.readUInt64IfPresent(prefix + "failcnt") ?? 0
        return entry
    }

    private func oomControl(_ files: CgroupDirectory) throws(CgroupError) -> CgroupV1Stats.MemoryOomControl {
        let values = try files.flat("memory.oom_control")
        var control = CgroupV1Stats.MemoryOomControl()
        control.oomKillDisable = values["oom_kill_disable"] ?? 0
        control.underOom = values["under_oom"] ?? 0
        control.oomKill = values["oom_kill"] ?? 0
        return control
    }

    /// CFQ/BFQ recursive statistics when the cgroup has any, else the throttle files.
    private func blkio(_ files: CgroupDirectory) throws(CgroupError) -> CgroupV1Stats.BlkIO {
        var blkio = CgroupV1Stats.BlkIO()
        var names: [UInt64: [UInt64: String]]?
        func entries(_ file: String) throws(CgroupError) -> [CgroupV1Stats.BlkIO.Entry] {
            guard let text = try files.readIfPresent(file) else { return [] }
            var result: [CgroupV1Stats.BlkIO.Entry] = []
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 2, let device = KeyedFile.device(fields[0]) else { continue }  // "Total N"
                var entry = CgroupV1Stats.BlkIO.Entry()
                entry.major = device.major
                entry.minor = device.minor
                if fields.count >= 3 {
                    entry.op = String(fields[1])
                    entry.value = UInt64(fields[2]) ?? 0
                } else {
                    entry.value = UInt64(fields[1]) ?? 0
                }
                if names == nil { names = BlockDeviceNames.read() }
                entry.device = names?[device.major]?[device.minor] ?? ""
                result.append(entry)
            }
            return result
        }
        for prefix in ["blkio.", "blkio.bfq."] {
            // The scheduler's statistics exist when CFQ or BFQ is in use.
            guard let serviced = try files.readIfPresent(prefix + "io_serviced_recursive") else { continue }
            guard !serviced.isEmpty else { continue }
            blkio.ioServicedRecursive = try entries(prefix + "io_serviced_recursive")
            blkio.sectorsRecursive = try entries(prefix + "sectors_recursive")
            blkio.ioServiceBytesRecursive = try entries(prefix + "io_service_bytes_recursive")
            blkio.ioQueuedRecursive = try entries(prefix + "io_queued_recursive")
            blkio.ioServiceTimeRecursive = try entries(prefix + "io_service_time_recursive")
            blkio.ioWaitTimeRecursive = try entries(prefix + "io_wait_time_recursive")
            blkio.ioMergedRecursive = try entries(prefix + "io_merged_recursive")
            blkio.ioTimeRecursive = try entries(prefix + "time_recursive")
            if blkio != CgroupV1Stats.BlkIO() { return blkio }
        }
        // Otherwise the throttle layer's counters (recursive where the kernel has them).
        let recursive = CgroupFile.exists(files.path.appending("blkio.throttle.io_serviced_recursive")) ? "_recursive" : ""
        blkio.ioServicedRecursive = try entries("blkio.throttle.io_serviced" + recursive)
        blkio.ioServiceBytesRecursive = try entries("blkio.throttle.io_service_bytes" + recursive)
        return blkio
    }
}

/// `rdma.current` and `rdma.max`: `mlx4_0 hca_handle=2 hca_object=2000`.
enum RdmaReader {
    static func read(_ directory: FilePath) throws(CgroupError) -> CgroupV1Stats.Rdma {
        var rdma = CgroupV1Stats.Rdma()
        rdma.current = try entries(directory.appending("rdma.current"))
        rdma.limit = try entries(directory.appending("rdma.max"))
        return rdma
    }

    static func entries(_ file: FilePath) throws(CgroupError) -> [RdmaEntry] {
        guard CgroupFile.exists(file) else { return [] }
        return KeyedFile.nested(try CgroupFile.read(file)).map { name, values in
            var entry = RdmaEntry()
            entry.device = name
            entry.hcaHandles = values["hca_handle"].flatMap { UInt32($0) } ?? UInt32.max
            entry.hcaObjects = values["hca_object"].flatMap { UInt32($0) } ?? UInt32.max
            return entry
        }
    }
}
