import Cgroups
import Logging
import Synchronization
import TTRPC

/// OOM watches of running containers: a Cgroups ``OOMWatcher`` per init,
/// waited on by the ttrpc event loop the shim already runs (no thread of
/// its own), each kill published as `/tasks/oom`. Works on cgroup v1
/// (eventfd) and v2 (`memory.events`).
final class OOMWatches: Sendable {
    private let watchers = Mutex<[String: OOMWatcher]>([:])

    func start(containerID: String, cgroup: Cgroup, events: EventPublisher, logger: Logger) {
        let watcher: OOMWatcher
        do {
            watcher = try OOMWatcher(cgroup: cgroup)
        } catch {
            logger.warning("no OOM notifications for this container", metadata: ["error": "\(error)"])
            return
        }
        watchers.withLock { $0[containerID] = watcher }
        let fd = watcher.descriptor.rawValue
        do {
            try ShimLoop.ttrpc.watchReadable(fd) { [self] in
                while true {
                    switch (try? watcher.check()) ?? .ended {
                    case .none:
                        return
                    case .oom(let event):
                        // As containerd's shim does: every notification is an event (v1 notifies before the kill is counted).
                        logger.info("OOM", metadata: ["kills": "\(event.oomKills)"])
                        var message = EventTaskOOM()
                        message.containerID = containerID
                        Task(executorPreference: ShimLoop.ttrpc) { await events.publish("/tasks/oom", message) }
                    case .ended:
                        remove(containerID)
                        return
                    }
                }
            }
        } catch {
            watchers.withLock { _ = $0.removeValue(forKey: containerID) }
            logger.warning("cannot watch for OOM kills", metadata: ["error": "\(error)"])
        }
    }

    /// Ends the watch of `containerID` (its init exited) after reporting a
    /// kill that is already counted.
    func stop(_ containerID: String, events: EventPublisher) async {
        guard let watcher = watchers.withLock({ $0[containerID] }) else { return }
        // A notification not yet handled by the loop goes out before the exit.
        if case .oom = (try? watcher.check()) ?? .none {
            var message = EventTaskOOM()
            message.containerID = containerID
            await events.publish("/tasks/oom", message)
        }
        remove(containerID)
    }

    private func remove(_ containerID: String) {
        guard let watcher = watchers.withLock({ $0.removeValue(forKey: containerID) }) else { return }
        ShimLoop.ttrpc.stopWatchingReadable(watcher.descriptor.rawValue)
    }
}
