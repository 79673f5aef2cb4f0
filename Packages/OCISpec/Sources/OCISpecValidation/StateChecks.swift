import OCISpec

/// Checks of `state.json` and `features.json`.
enum StateChecks {
    static func check(_ state: State, into problems: inout ProblemList) {
        if !ListSyntax.isSemanticVersion(state.ociVersion) {
            problems.add("ociVersion", .invalidValue, "must be a SemVer version such as 1.2.0, got \"\(state.ociVersion)\"")
        }
        if state.id.isEmpty {
            problems.add("id", .missingField, "the container id must not be empty")
        }
        if !state.status.isKnown {
            problems.add("status", .unknownName, "unknown status \"\(state.status)\"")
        }
        problems.requireAbsolute("bundle", state.bundle, what: "the bundle")
        if let pid = state.pid, pid < 0 {
            problems.add("pid", .outOfRange, "a pid is positive, got \(pid)")
        }
        if [ContainerStatus.created, .running, .paused].contains(state.status), (state.pid ?? 0) <= 0 {
            problems.add("pid", .missingField, "a \(state.status) container has a pid")
        }
    }

    static func check(_ features: Features, into problems: inout ProblemList) {
        for (key, version) in [("ociVersionMin", features.ociVersionMin), ("ociVersionMax", features.ociVersionMax)] {
            if let version, !ListSyntax.isSemanticVersion(version) {
                problems.add(key, .invalidValue, "must be a SemVer version, got \"\(version)\"")
            }
        }
        for (index, capability) in (features.linux?.capabilities ?? []).enumerated() where Libcap.value(of: capability.rawValue) == nil {
            problems.add("linux.capabilities[\(index)]", .unknownName, "unknown capability \"\(capability)\"")
        }
    }
}
