import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension Cgroup {
    /// Sends `signal` to every process in the cgroup and its descendants.
    /// With SIGKILL on a cgroup2 directory that has `cgroup.kill`, the kernel
    /// kills the whole tree at once and no process can escape by forking. The
    /// fallback (v1, or other signals) freezes the cgroup when a freezer is
    /// there, signals each pid in `cgroup.procs` with kill(2), and thaws; for
    /// SIGKILL it repeats until the cgroup is empty or `timeout` passes.
    public func kill(signal: Int32 = SIGKILL, timeout: Duration = .seconds(5)) throws(CgroupError) {
        guard signal > 0 else { throw CgroupError(.invalidValue, operation: "kill", value: "\(signal)", detail: "not a signal number") }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        if signal == SIGKILL, let unifiedDirectory, CgroupFile.exists(unifiedDirectory.appending("cgroup.kill")) {
            try CgroupFile.write("1", to: unifiedDirectory.appending("cgroup.kill"))
        }
        while true {
            let remaining = try treeProcesses()
            if remaining.isEmpty { return }
            let freezable =
                v1Directories[.freezer] != nil || unifiedDirectory.map { CgroupFile.exists($0.appending("cgroup.freeze")) } == true
            if freezable { try? freeze(timeout: .milliseconds(500)) }
            for pid in remaining where sendSignal(pid, signal) != 0 && errno != ESRCH {
                let code = Errno(rawValue: errno)
                if freezable { try? thaw() }
                throw CgroupError(.system, operation: "kill", value: "\(pid)", errno: code)
            }
            if freezable { try thaw() }
            if signal != SIGKILL { return }
            guard ContinuousClock.now < deadline else {
                throw CgroupError(
                    .timeout, operation: "kill", path: allDirectories.first,
                    detail: "\(remaining.count) processes still there after \(timeout)")
            }
            CgroupClock.sleep(milliseconds: 5)
        }
    }

    /// Processes here and in every cgroup below.
    func treeProcesses() throws(CgroupError) -> [pid_t] {
        var result: Set<pid_t> = []
        for directory in allDirectories { try Self.collectProcesses(directory, into: &result) }
        return result.sorted()
    }

    private static func collectProcesses(_ directory: FilePath, into result: inout Set<pid_t>) throws(CgroupError) {
        guard CgroupFile.isDirectory(directory) else { return }
        result.formUnion(try readIDs(directory.appending("cgroup.procs")))
        for child in CgroupFile.subdirectories(of: directory) {
            try collectProcesses(directory.appending(child), into: &result)
        }
    }
}

/// kill(2), outside the extension whose `kill` method would shadow it.
private func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 {
    kill(pid, signal)
}
