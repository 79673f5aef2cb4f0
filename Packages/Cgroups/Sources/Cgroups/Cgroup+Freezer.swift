import SystemPackage

/// The freezer state of a cgroup.
public enum FreezerState: String, Hashable, Sendable {
    /// Running: v1 `freezer.state` THAWED, v2 `cgroup.freeze` 0.
    case thawed = "THAWED"
    /// v1 only: the kernel is still stopping tasks.
    case freezing = "FREEZING"
    /// Every task stopped: v1 `freezer.state` FROZEN, v2 `cgroup.events` `frozen 1`.
    case frozen = "FROZEN"
}

extension Cgroup {
    /// Freezes every process in the cgroup and waits until the kernel reports
    /// it frozen: v1 writes `FROZEN` to `freezer.state` until it reads back
    /// `FROZEN`; cgroup2 writes `1` to `cgroup.freeze` and waits for `frozen 1`
    /// in `cgroup.events`. The v1 freezer is used when it is mounted, cgroup2's
    /// otherwise (hybrid hosts without a v1 freezer).
    public func freeze(timeout: Duration = .seconds(5)) throws(CgroupError) {
        try setFrozen(true, timeout: timeout)
    }

    /// Thaws the cgroup and waits until it is no longer frozen.
    public func thaw(timeout: Duration = .seconds(5)) throws(CgroupError) {
        try setFrozen(false, timeout: timeout)
    }

    /// The current freezer state.
    public func freezerState() throws(CgroupError) -> FreezerState {
        switch try freezerInterface() {
        case .v1(let file):
            let text = try CgroupFile.readLine(file)
            guard let state = FreezerState(rawValue: text) else {
                throw CgroupError(.malformed, operation: "read", path: file, value: text, detail: "unknown freezer state")
            }
            return state
        case .v2(let directory):
            let events = try KeyedFile.flat(at: directory.appending("cgroup.events"))
            if events["frozen"] == 1 { return .frozen }
            let wanted = try CgroupFile.readLine(directory.appending("cgroup.freeze"))
            return wanted == "1" ? .freezing : .thawed
        }
    }

    private enum FreezerInterface {
        case v1(FilePath)
        case v2(FilePath)
    }

    private func freezerInterface() throws(CgroupError) -> FreezerInterface {
        if let directory = v1Directories[.freezer] { return .v1(directory.appending("freezer.state")) }
        if let unifiedDirectory, CgroupFile.exists(unifiedDirectory.appending("cgroup.freeze")) { return .v2(unifiedDirectory) }
        throw CgroupError(
            .controllerUnavailable, operation: "freeze", path: allDirectories.first,
            detail: "no freezer: neither v1 freezer nor cgroup.freeze")
    }

    private func setFrozen(_ frozen: Bool, timeout: Duration) throws(CgroupError) {
        let interface = try freezerInterface()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let wanted: FreezerState = frozen ? .frozen : .thawed
        var pause = 1
        while true {
            switch interface {
            case .v1(let file):
                // Writing FROZEN again makes the kernel retry tasks it could not stop yet.
                try CgroupFile.write(wanted.rawValue, to: file)
            case .v2(let directory):
                let control = directory.appending("cgroup.freeze")
                if pause == 1 { try CgroupFile.write(frozen ? "1" : "0", to: control) }
            }
            if try freezerState() == wanted { return }
            guard ContinuousClock.now < deadline else {
                throw CgroupError(
                    .timeout, operation: frozen ? "freeze" : "thaw", path: allDirectories.first,
                    detail: "still \(String(describing: (try? freezerState()) ?? .freezing).lowercased()) after \(timeout)")
            }
            CgroupClock.sleep(milliseconds: pause)
            pause = min(pause * 2, 50)
        }
    }
}
