import OCISpec

/// Checks of `process`.
enum ProcessChecks {
    static func check(_ process: ProcessSpec, into problems: inout ProblemList) {
        problems.requireAbsolute("process.cwd", process.cwd, what: "the working directory")
        if process.args?.isEmpty ?? true, process.commandLine == nil {
            problems.add("process.args", .missingField, "must name the program to run")
        }
        for (index, entry) in (process.env ?? []).enumerated() where !entry.contains("=") || entry.hasPrefix("=") {
            problems.add("process.env[\(index)]", .invalidValue, "must have the form NAME=value, got \"\(entry)\"")
        }
        if process.consoleSize != nil, process.terminal != true {
            problems.add("process.consoleSize", .conflict, "set without process.terminal")
        }
        if let umask = process.user.umask, umask > 0o777 {
            problems.add("process.user.umask", .outOfRange, "must be at most 0777 (511), got \(umask)")
        }
        problems.requireRange("process.oomScoreAdj", process.oomScoreAdj, -1000...1000, what: "oom_score_adj")
        if let capabilities = process.capabilities {
            checkCapabilities(capabilities, into: &problems)
        }
        checkRlimits(process.rlimits ?? [], into: &problems)
        if let scheduler = process.scheduler {
            checkScheduler(scheduler, into: &problems)
        }
        if let io = process.ioPriority {
            if !io.ioClass.isKnown {
                problems.add("process.ioPriority.class", .unknownName, "unknown I/O priority class \"\(io.ioClass)\"")
            }
            problems.requireRange("process.ioPriority.priority", io.priority, 0...7, what: "the I/O priority")
        }
        if let affinity = process.execCPUAffinity {
            for (key, list) in [("initial", affinity.initial), ("final", affinity.final)] {
                if let list, ListSyntax.numbers(in: list) == nil {
                    problems.add("process.execCPUAffinity.\(key)", .invalidValue, "not a CPU list like 0-3,7: \"\(list)\"")
                }
            }
        }
    }

    private static func checkCapabilities(_ capabilities: LinuxCapabilities, into problems: inout ProblemList) {
        let sets: [(String, [Capability]?)] = [
            ("bounding", capabilities.bounding), ("effective", capabilities.effective),
            ("inheritable", capabilities.inheritable), ("permitted", capabilities.permitted),
            ("ambient", capabilities.ambient),
        ]
        for (name, list) in sets {
            for (index, capability) in (list ?? []).enumerated() where Libcap.value(of: capability.rawValue) == nil {
                problems.add(
                    "process.capabilities.\(name)[\(index)]", .unknownName,
                    "unknown capability \"\(capability)\" (libcap knows names like CAP_SYS_ADMIN)")
            }
        }
    }

    private static func checkRlimits(_ rlimits: [POSIXRlimit], into problems: inout ProblemList) {
        var seen: [RlimitType: Int] = [:]
        for (index, rlimit) in rlimits.enumerated() {
            let path = "process.rlimits[\(index)]"
            if !rlimit.type.isKnown {
                problems.add("\(path).type", .unknownName, "unknown rlimit \"\(rlimit.type)\"")
            }
            if let first = seen[rlimit.type] {
                problems.add("\(path).type", .duplicate, "\(rlimit.type) is already set at process.rlimits[\(first)]")
            } else {
                seen[rlimit.type] = index
            }
            if rlimit.soft > rlimit.hard {
                problems.add("\(path).soft", .conflict, "soft limit \(rlimit.soft) exceeds hard limit \(rlimit.hard)")
            }
        }
    }

    private static func checkScheduler(_ scheduler: Scheduler, into problems: inout ProblemList) {
        let path = "process.scheduler"
        if !scheduler.policy.isKnown {
            problems.add("\(path).policy", .unknownName, "unknown scheduling policy \"\(scheduler.policy)\"")
        }
        problems.requireRange("\(path).nice", scheduler.nice, -20...19, what: "nice")
        if scheduler.policy == .fifo || scheduler.policy == .rr {
            problems.requireRange("\(path).priority", scheduler.priority ?? 0, 1...99, what: "a real-time priority")
        } else if let priority = scheduler.priority, priority != 0 {
            problems.add("\(path).priority", .conflict, "only SCHED_FIFO and SCHED_RR take a priority")
        }
        for (index, flag) in (scheduler.flags ?? []).enumerated() where !flag.isKnown {
            problems.add("\(path).flags[\(index)]", .unknownName, "unknown scheduler flag \"\(flag)\"")
        }
        let deadline = [scheduler.runtime, scheduler.deadline, scheduler.period]
        if scheduler.policy == .deadline {
            let runtime = scheduler.runtime ?? 0
            let due = scheduler.deadline ?? 0
            let period = scheduler.period ?? due
            if runtime == 0 || runtime > due || due > period {
                problems.add(path, .conflict, "SCHED_DEADLINE needs 0 < runtime <= deadline <= period")
            }
        } else if deadline.contains(where: { ($0 ?? 0) != 0 }) {
            problems.add(path, .conflict, "runtime, deadline and period apply to SCHED_DEADLINE only")
        }
    }
}
