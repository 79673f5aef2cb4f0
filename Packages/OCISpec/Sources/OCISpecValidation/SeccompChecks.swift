import OCISpec

/// Checks of `linux.seccomp` against this host's libseccomp.
enum SeccompChecks {
    static func check(_ seccomp: LinuxSeccomp, into problems: inout ProblemList) {
        let path = "linux.seccomp"
        checkAction(
            seccomp.defaultAction, errno: seccomp.defaultErrnoRet, at: path, actionKey: "defaultAction", errnoKey: "defaultErrnoRet",
            into: &problems)

        var tokens: [UInt32] = [Libseccomp.nativeArchitectureToken]
        for (index, arch) in (seccomp.architectures ?? []).enumerated() {
            if let token = Libseccomp.architectureToken(arch) {
                tokens.append(token)
            } else {
                problems.add(
                    "\(path).architectures[\(index)]", .unknownName, "unknown architecture \"\(arch)\" (libseccomp \(Libseccomp.version))")
            }
        }
        for (index, flag) in (seccomp.flags ?? []).enumerated() where !flag.isKnown {
            problems.add("\(path).flags[\(index)]", .unknownName, "unknown seccomp filter flag \"\(flag)\"")
        }
        if let listener = seccomp.listenerPath, !listener.isEmpty {
            problems.requireAbsolute("\(path).listenerPath", listener, what: "the listener socket path")
        }
        let usesNotify = seccomp.defaultAction == .notify || (seccomp.syscalls ?? []).contains { $0.action == .notify }
        if usesNotify, (seccomp.listenerPath ?? "").isEmpty {
            problems.add("\(path).listenerPath", .missingField, "SCMP_ACT_NOTIFY needs a listenerPath")
        }

        var unknownNames: [String: Bool] = [:]
        for (index, rule) in (seccomp.syscalls ?? []).enumerated() {
            let rulePath = "\(path).syscalls[\(index)]"
            checkAction(rule.action, errno: rule.errnoRet, at: rulePath, actionKey: "action", errnoKey: "errnoRet", into: &problems)
            if rule.names.isEmpty {
                problems.add("\(rulePath).names", .missingField, "a rule must name at least one syscall")
            }
            for (nameIndex, name) in rule.names.enumerated() {
                let unknown = unknownNames[name] ?? !tokens.contains { Libseccomp.knowsSyscall(name, architecture: $0) }
                unknownNames[name] = unknown
                if unknown {
                    problems.add(
                        "\(rulePath).names[\(nameIndex)]", .unknownName,
                        "syscall \"\(name)\" is unknown for the listed architectures (libseccomp \(Libseccomp.version))")
                }
            }
            for (argIndex, argument) in (rule.args ?? []).enumerated() {
                let argPath = "\(rulePath).args[\(argIndex)]"
                if argument.index > 5 {
                    problems.add("\(argPath).index", .outOfRange, "syscalls have arguments 0 to 5, got \(argument.index)")
                }
                if !argument.op.isKnown {
                    problems.add("\(argPath).op", .unknownName, "unknown comparison \"\(argument.op)\"")
                }
                if argument.valueTwo != nil, argument.valueTwo != 0, argument.op != .maskedEq {
                    problems.add("\(argPath).valueTwo", .conflict, "valueTwo is used only by SCMP_CMP_MASKED_EQ")
                }
            }
        }
    }

    private static func checkAction(
        _ action: SeccompAction, errno: UInt?, at path: String, actionKey: String, errnoKey: String,
        into problems: inout ProblemList
    ) {
        if !action.isKnown {
            problems.add("\(path).\(actionKey)", .unknownName, "unknown seccomp action \"\(action)\"")
        }
        if errno != nil, action != .errno, action != .trace {
            problems.add("\(path).\(errnoKey)", .conflict, "\(errnoKey) applies only to SCMP_ACT_ERRNO and SCMP_ACT_TRACE")
        }
    }
}
