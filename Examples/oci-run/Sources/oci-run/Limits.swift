import Cgroups

/// The limits asked for on the command line, written to the container's
/// cgroup with Cgroups (between `runc create` and `runc start`, before the
/// container's program runs), and its usage read back at the end.
struct Limits {
    var memory: Int64?
    var cpus: Double?
    var pids: Int64?

    var isEmpty: Bool { memory == nil && cpus == nil && pids == nil }

    /// The cgroup runc created at `path`, with the limits applied.
    func apply(to path: String) throws(RunError) -> Cgroup {
        let cgroup: Cgroup
        do {
            cgroup = try Cgroup.load(path)
        } catch {
            throw RunError.failed("cannot find the container's cgroup \(path): \(error)")
        }
        guard !isEmpty else { return cgroup }
        let period: UInt64 = 100_000
        let resources = CgroupResources(
            memory: memory.map { CgroupResources.Memory(limit: $0) },
            cpu: cpus.map { CgroupResources.CPU(quota: Int64(($0 * Double(period)).rounded()), period: period) },
            pids: pids.map { CgroupResources.Pids(limit: $0) })
        do {
            try cgroup.apply(resources)
        } catch {
            throw RunError.failed("cannot set the limits: \(error)")
        }
        return cgroup
    }

    /// A few lines of usage for `--stats`.
    static func summary(of cgroup: Cgroup) -> String {
        guard let stats = try? cgroup.stats() else { return "oci-run: no statistics (the cgroup is gone)" }
        switch stats {
        case .v1(let v1):
            return """
                oci-run: memory peak \(v1.memory?.usage.max ?? 0) bytes, limit \(v1.memory?.usage.limit ?? 0), \
                failures \(v1.memory?.usage.failcnt ?? 0), OOM kills \(v1.memoryOomControl?.oomKill ?? 0)
                oci-run: cpu \((v1.cpu?.usage.total ?? 0) / 1000) µs (user \((v1.cpu?.usage.user ?? 0) / 1000), \
                system \((v1.cpu?.usage.kernel ?? 0) / 1000)), throttled \(v1.cpu?.throttling.throttledPeriods ?? 0) periods
                """
        case .v2(let v2):
            return """
                oci-run: memory peak \(v2.memory?.peak ?? v2.memory?.usage ?? 0) bytes, limit \(v2.memory?.usageLimit ?? 0), \
                OOM kills \(v2.memoryEvents?.oomKill ?? 0)
                oci-run: cpu \(v2.cpu?.usageUsec ?? 0) µs (user \(v2.cpu?.userUsec ?? 0), system \(v2.cpu?.systemUsec ?? 0)), \
                throttled \(v2.cpu?.nrThrottled ?? 0) periods
                """
        }
    }
}
