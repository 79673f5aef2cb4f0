import Cgroups

/// Cgroups' snapshots as containerd's metrics messages, field by field
/// (the Swift types carry the messages' field names).
enum MetricsMapping {
    static func v1(_ stats: CgroupV1Stats) -> CgroupsV1Metrics {
        var metrics = CgroupsV1Metrics()
        metrics.hugetlb = stats.hugetlb.map { entry in
            var out = CgroupsV1HugetlbStat()
            out.usage = entry.usage
            out.max = entry.max
            out.failcnt = entry.failcnt
            out.pagesize = entry.pagesize
            return out
        }
        if let pids = stats.pids {
            metrics.pids.current = pids.current
            metrics.pids.limit = pids.limit
        }
        if let cpu = stats.cpu {
            metrics.cpu.usage.total = cpu.usage.total
            metrics.cpu.usage.kernel = cpu.usage.kernel
            metrics.cpu.usage.user = cpu.usage.user
            metrics.cpu.usage.perCpu = cpu.usage.perCpu
            metrics.cpu.throttling.periods = cpu.throttling.periods
            metrics.cpu.throttling.throttledPeriods = cpu.throttling.throttledPeriods
            metrics.cpu.throttling.throttledTime = cpu.throttling.throttledTime
        }
        if let memory = stats.memory { metrics.memory = v1(memory) }
        if let blkio = stats.blkio {
            metrics.blkio.ioServiceBytesRecursive = blkio.ioServiceBytesRecursive.map(v1)
            metrics.blkio.ioServicedRecursive = blkio.ioServicedRecursive.map(v1)
            metrics.blkio.ioQueuedRecursive = blkio.ioQueuedRecursive.map(v1)
            metrics.blkio.ioServiceTimeRecursive = blkio.ioServiceTimeRecursive.map(v1)
            metrics.blkio.ioWaitTimeRecursive = blkio.ioWaitTimeRecursive.map(v1)
            metrics.blkio.ioMergedRecursive = blkio.ioMergedRecursive.map(v1)
            metrics.blkio.ioTimeRecursive = blkio.ioTimeRecursive.map(v1)
            metrics.blkio.sectorsRecursive = blkio.sectorsRecursive.map(v1)
        }
        if let rdma = stats.rdma {
            metrics.rdma.current = rdma.current.map(v1)
            metrics.rdma.limit = rdma.limit.map(v1)
        }
        if let oom = stats.memoryOomControl {
            metrics.memoryOomControl.oomKillDisable = oom.oomKillDisable
            metrics.memoryOomControl.underOom = oom.underOom
            metrics.memoryOomControl.oomKill = oom.oomKill
        }
        return metrics
    }

    private static func v1(_ memory: CgroupV1Stats.Memory) -> CgroupsV1MemoryStat {
        var out = CgroupsV1MemoryStat()
        out.cache = memory.cache
        out.rss = memory.rss
        out.rssHuge = memory.rssHuge
        out.mappedFile = memory.mappedFile
        out.dirty = memory.dirty
        out.writeback = memory.writeback
        out.pgPgIn = memory.pgPgIn
        out.pgPgOut = memory.pgPgOut
        out.pgFault = memory.pgFault
        out.pgMajFault = memory.pgMajFault
        out.inactiveAnon = memory.inactiveAnon
        out.activeAnon = memory.activeAnon
        out.inactiveFile = memory.inactiveFile
        out.activeFile = memory.activeFile
        out.unevictable = memory.unevictable
        out.hierarchicalMemoryLimit = memory.hierarchicalMemoryLimit
        out.hierarchicalSwapLimit = memory.hierarchicalSwapLimit
        out.totalCache = memory.totalCache
        out.totalRss = memory.totalRss
        out.totalRssHuge = memory.totalRssHuge
        out.totalMappedFile = memory.totalMappedFile
        out.totalDirty = memory.totalDirty
        out.totalWriteback = memory.totalWriteback
        out.totalPgPgIn = memory.totalPgPgIn
        out.totalPgPgOut = memory.totalPgPgOut
        out.totalPgFault = memory.totalPgFault
        out.totalPgMajFault = memory.totalPgMajFault
        out.totalInactiveAnon = memory.totalInactiveAnon
        out.totalActiveAnon = memory.totalActiveAnon
        out.totalInactiveFile = memory.totalInactiveFile
        out.totalActiveFile = memory.totalActiveFile
        out.totalUnevictable = memory.totalUnevictable
        out.usage = v1(memory.usage)
        out.swap = v1(memory.swap)
        out.kernel = v1(memory.kernel)
        out.kernelTcp = v1(memory.kernelTcp)
        return out
    }

    private static func v1(_ entry: CgroupV1Stats.Memory.Entry) -> CgroupsV1MemoryEntry {
        var out = CgroupsV1MemoryEntry()
        out.limit = entry.limit
        out.usage = entry.usage
        out.max = entry.max
        out.failcnt = entry.failcnt
        return out
    }

    private static func v1(_ entry: CgroupV1Stats.BlkIO.Entry) -> CgroupsV1BlkIOEntry {
        var out = CgroupsV1BlkIOEntry()
        out.op = entry.op
        out.device = entry.device
        out.major = entry.major
        out.minor = entry.minor
        out.value = entry.value
        return out
    }

    private static func v1(_ entry: RdmaEntry) -> CgroupsV1RdmaEntry {
        var out = CgroupsV1RdmaEntry()
        out.device = entry.device
        out.hcaHandles = entry.hcaHandles
        out.hcaObjects = entry.hcaObjects
        return out
    }

    static func v2(_ stats: CgroupV2Stats) -> CgroupsV2Metrics {
        var metrics = CgroupsV2Metrics()
        if let pids = stats.pids {
            metrics.pids.current = pids.current
            metrics.pids.limit = pids.limit
        }
        if let cpu = stats.cpu {
            metrics.cpu.usageUsec = cpu.usageUsec
            metrics.cpu.userUsec = cpu.userUsec
            metrics.cpu.systemUsec = cpu.systemUsec
            metrics.cpu.nrPeriods = cpu.nrPeriods
            metrics.cpu.nrThrottled = cpu.nrThrottled
            metrics.cpu.throttledUsec = cpu.throttledUsec
        }
        if let memory = stats.memory { metrics.memory = v2(memory) }
        if let rdma = stats.rdma {
            metrics.rdma.current = rdma.current.map(v2)
            metrics.rdma.limit = rdma.limit.map(v2)
        }
        if let io = stats.io {
            metrics.io.usage = io.usage.map { entry in
                var out = CgroupsV2IOEntry()
                out.major = entry.major
                out.minor = entry.minor
                out.rbytes = entry.rbytes
                out.wbytes = entry.wbytes
                out.rios = entry.rios
                out.wios = entry.wios
                return out
            }
        }
        metrics.hugetlb = stats.hugetlb.map { entry in
            var out = CgroupsV2HugeTlbStat()
            out.current = entry.current
            out.max = entry.max
            out.pagesize = entry.pagesize
            return out
        }
        if let events = stats.memoryEvents {
            metrics.memoryEvents.low = events.low
            metrics.memoryEvents.high = events.high
            metrics.memoryEvents.max = events.max
            metrics.memoryEvents.oom = events.oom
            metrics.memoryEvents.oomKill = events.oomKill
        }
        return metrics
    }

    private static func v2(_ memory: CgroupV2Stats.Memory) -> CgroupsV2MemoryStat {
        var out = CgroupsV2MemoryStat()
        out.anon = memory.anon
        out.file = memory.file
        out.kernelStack = memory.kernelStack
        out.slab = memory.slab
        out.sock = memory.sock
        out.shmem = memory.shmem
        out.fileMapped = memory.fileMapped
        out.fileDirty = memory.fileDirty
        out.fileWriteback = memory.fileWriteback
        out.anonThp = memory.anonThp
        out.inactiveAnon = memory.inactiveAnon
        out.activeAnon = memory.activeAnon
        out.inactiveFile = memory.inactiveFile
        out.activeFile = memory.activeFile
        out.unevictable = memory.unevictable
        out.slabReclaimable = memory.slabReclaimable
        out.slabUnreclaimable = memory.slabUnreclaimable
        out.pgfault = memory.pgfault
        out.pgmajfault = memory.pgmajfault
        out.workingsetRefault = memory.workingsetRefault
        out.workingsetActivate = memory.workingsetActivate
        out.workingsetNodereclaim = memory.workingsetNodereclaim
        out.pgrefill = memory.pgrefill
        out.pgscan = memory.pgscan
        out.pgsteal = memory.pgsteal
        out.pgactivate = memory.pgactivate
        out.pgdeactivate = memory.pgdeactivate
        out.pglazyfree = memory.pglazyfree
        out.pglazyfreed = memory.pglazyfreed
        out.thpFaultAlloc = memory.thpFaultAlloc
        out.thpCollapseAlloc = memory.thpCollapseAlloc
        out.usage = memory.usage
        out.usageLimit = memory.usageLimit
        out.swapUsage = memory.swapUsage
        out.swapLimit = memory.swapLimit
        return out
    }

    private static func v2(_ entry: RdmaEntry) -> CgroupsV2RdmaEntry {
        var out = CgroupsV2RdmaEntry()
        out.device = entry.device
        out.hcaHandles = entry.hcaHandles
        out.hcaObjects = entry.hcaObjects
        return out
    }
}
