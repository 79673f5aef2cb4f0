extension Cgroup {
    /// A statistics snapshot: ``CgroupStats/v1(_:)`` on legacy and hybrid
    /// hosts (with hybrid's cgroup2-only controllers and pressure folded in),
    /// ``CgroupStats/v2(_:)`` on unified ones. Each field comes from the
    /// interface file containerd's cgroups packages read for it.
    public func stats() throws(CgroupError) -> CgroupStats {
        if mode == .unified {
            guard let unifiedDirectory else { throw unavailable("cgroup2", for: "stats") }
            return .v2(try V2StatsReader(directory: unifiedDirectory).read())
        }
        return .v1(try V1StatsReader(cgroup: self).read())
    }
}
