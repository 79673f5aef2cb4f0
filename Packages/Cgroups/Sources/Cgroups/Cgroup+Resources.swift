import SystemPackage

extension Cgroup {
    /// Applies `resources` after checking every value (nothing is written
    /// when one is out of range). Legacy and hybrid hosts write v1 files
    /// (`memory.limit_in_bytes`, `cpu.cfs_quota_us`, `devices.allow`…); in
    /// hybrid mode the controllers only cgroup2 offers (hugetlb here) and the
    /// `unified` entries go to the cgroup2 directory. Unified hosts write
    /// cgroup2 files (`memory.max`, `cpu.max`, `io.max`…) with the
    /// ``ResourceConversion`` conversions. A field whose controller is absent
    /// fails with ``CgroupError/Kind/controllerUnavailable``.
    public func apply(_ resources: CgroupResources) throws(CgroupError) {
        try ResourceValidation.check(resources)
        switch mode {
        case .unified:
            guard let unifiedDirectory else { throw unavailable("cgroup2", for: "apply") }
            try V2ResourceWriter(directory: unifiedDirectory).apply(resources)
        case .legacy, .hybrid:
            var v1Part = resources
            var v2Part = CgroupResources()
            if v1Directories[.hugetlb] == nil, !resources.hugepageLimits.isEmpty, mode == .hybrid {
                v2Part.hugepageLimits = resources.hugepageLimits
                v1Part.hugepageLimits = []
            }
            v2Part.unified = resources.unified
            v1Part.unified = [:]
            try V1ResourceWriter(cgroup: self).apply(v1Part)
            if !v2Part.hugepageLimits.isEmpty || !v2Part.unified.isEmpty {
                guard mode == .hybrid, let unifiedDirectory else {
                    throw CgroupError(
                        .unsupported, operation: "apply unified", detail: "unified resources need cgroup2, and this host is cgroup v1 only")
                }
                try V2ResourceWriter(directory: unifiedDirectory).apply(v2Part)
            }
        }
    }

    /// The contents of one interface file of this cgroup (`memory.max`,
    /// `cpu.cfs_quota_us`…), from the v1 directory of the controller its name
    /// starts with, or the cgroup2 directory. For reading back what the kernel made of a value.
    public func read(_ file: String) throws(CgroupError) -> String {
        try CgroupFile.readLine(try path(of: file))
    }

    /// The path of interface file `file` for this cgroup.
    public func path(of file: String) throws(CgroupError) -> FilePath {
        guard !file.contains("/"), file.contains(".") else {
            throw CgroupError(.invalidValue, operation: "resolve", value: file, detail: "not an interface file name")
        }
        let prefix = Controller(String(file.prefix { $0 != "." }))
        if let directory = v1Directories[prefix] ?? (prefix.rawValue == "cgroup" ? v1Directories.values.first : nil) {
            return directory.appending(file)
        }
        if let unifiedDirectory { return unifiedDirectory.appending(file) }
        throw unavailable(prefix.rawValue, for: "read \(file)")
    }

    func unavailable(_ controller: String, for operation: String) -> CgroupError {
        CgroupError(.controllerUnavailable, operation: operation, detail: "the \(controller) controller is not mounted for \(self)")
    }
}
