import CCgroupsLinux
internal import LinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One OOM kill (or several) seen in a cgroup.
public struct OOMEvent: Hashable, Sendable {
    /// The cgroup's OOM kill counter after the event (v1 `memory.oom_control`
    /// `oom_kill`, v2 `memory.events` `oom_kill`).
    public var oomKills: UInt64
    /// How many kills this event stands for (at least 1 on v2; on v1 the
    /// kernel's notification can also mean "under OOM" with no kill, then 0).
    public var newKills: UInt64

    /// An event as the watcher reports it.
    public init(oomKills: UInt64, newKills: UInt64) {
        self.oomKills = oomKills
        self.newKills = newKills
    }
}

/// What one look at an ``OOMWatcher`` found.
public enum OOMWatchResult: Hashable, Sendable {
    /// Nothing new.
    case none
    /// An OOM event.
    case oom(OOMEvent)
    /// The cgroup was removed or became empty; no more events can come.
    case ended
}

/// Watches one cgroup for OOM kills through a descriptor that any poll loop
/// can wait on (``descriptor`` becomes readable), or through
/// ``Cgroup/oomEvents()``.
///
/// v1: an eventfd registered for `memory.oom_control` by writing
/// `"<eventfd> <oom_control fd>"` to `cgroup.event_control`; the kernel also
/// signals it when the cgroup is removed. v2: inotify on `memory.events` and
/// `cgroup.events`; a rise of `oom_kill` is an event, `populated 0` or the
/// files' removal ends the watch.
public final class OOMWatcher: Sendable {
    /// Readable when something may have happened; call ``check()`` then.
    public let descriptor: FileDescriptor
    private let source: Source
    private let lastKills: MutexBox<UInt64>

    private enum Source {
        case v1(directory: FilePath, control: FileDescriptor)
        case v2(directory: FilePath)
    }

    /// Starts watching `cgroup`. It needs the v1 memory controller, or a
    /// cgroup2 directory with `memory.events`.
    public init(cgroup: Cgroup) throws(CgroupError) {
        if let directory = cgroup.v1Directories[.memory] {
            let controlPath = directory.appending("memory.oom_control")
            let control = try CgroupFile.open(controlPath, O_RDONLY, operation: "open")
            let event: Int32
            do {
                event = try OwnedDescriptor.eventCounter().take()
            } catch {
                _ = close(control.rawValue)
                throw CgroupError(.system, operation: "eventfd", errno: error)
            }
            let eventFD = FileDescriptor(rawValue: event)
            do {
                try CgroupFile.write("\(event) \(control.rawValue)", to: directory.appending("cgroup.event_control"))
            } catch {
                _ = close(eventFD.rawValue)
                _ = close(control.rawValue)
                throw error
            }
            descriptor = eventFD
            source = .v1(directory: directory, control: control)
            lastKills = MutexBox((try? KeyedFile.flat(at: controlPath)["oom_kill"]) ?? 0)
        } else if let directory = cgroup.unifiedDirectory, CgroupFile.exists(directory.appending("memory.events")) {
            let fd = ccgroups_inotify()
            guard fd >= 0 else { throw CgroupError(.system, operation: "inotify_init1", errno: Errno(rawValue: errno)) }
            for name in ["memory.events", "cgroup.events"] {
                let path = directory.appending(name)
                guard CgroupFile.exists(path) || name == "memory.events" else { continue }
                if ccgroups_inotify_watch(fd, path.string) < 0 {
                    let code = Errno(rawValue: errno)
                    close(fd)
                    throw CgroupError(.system, operation: "inotify_add_watch", path: path, errno: code)
                }
            }
            descriptor = FileDescriptor(rawValue: fd)
            source = .v2(directory: directory)
            lastKills = MutexBox((try? V2StatsReader(directory: directory).memoryEvents().oomKill) ?? 0)
        } else {
            throw CgroupError(
                .controllerUnavailable, operation: "watch OOM", detail: "\(cgroup) has neither a v1 memory controller nor memory.events")
        }
    }

    deinit {
        _ = close(descriptor.rawValue)
        if case .v1(_, let control) = source { _ = close(control.rawValue) }
    }

    /// Consumes what made ``descriptor`` readable and reports it. Never blocks.
    public func check() throws(CgroupError) -> OOMWatchResult {
        switch source {
        case .v1(let directory, _):
            var counter: UInt64 = 0
            do {
                _ = try SystemCall.retrying("read(eventfd)") { read(descriptor.rawValue, &counter, 8) }
            } catch {
                if error == .resourceTemporarilyUnavailable { return .none }
                throw CgroupError(.system, operation: "read eventfd", errno: error)
            }
            // The kernel signals the eventfd when the cgroup goes away, too.
            guard CgroupFile.exists(directory.appending("cgroup.event_control")) else { return .ended }
            let kills = (try? KeyedFile.flat(at: directory.appending("memory.oom_control"))["oom_kill"]) ?? 0
            return .oom(advance(to: kills, atLeastOne: false))
        case .v2(let directory):
            var gone: Int32 = 0
            if ccgroups_inotify_drain(descriptor.rawValue, &gone) < 0 {
                throw CgroupError(.system, operation: "read inotify", errno: Errno(rawValue: errno))
            }
            let events = try? V2StatsReader(directory: directory).memoryEvents()
            var result = OOMWatchResult.none
            if let kills = events?.oomKill, kills > lastKills.value { result = .oom(advance(to: kills, atLeastOne: true)) }
            if case .oom = result { return result }
            let populated = (try? KeyedFile.flat(at: directory.appending("cgroup.events")))?["populated"]
            if gone != 0 || events == nil || populated == 0 { return .ended }
            return .none
        }
    }

    private func advance(to kills: UInt64, atLeastOne: Bool) -> OOMEvent {
        lastKills.withLock { last in
            let new = kills > last ? kills - last : 0
            last = max(last, kills)
            return OOMEvent(oomKills: kills, newKills: atLeastOne ? max(new, 1) : new)
        }
    }
}
