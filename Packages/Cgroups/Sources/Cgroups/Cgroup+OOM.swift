extension Cgroup {
    /// OOM kills in this cgroup as they happen, through an ``OOMWatcher``
    /// waited on by the process's cgroup event thread. The sequence finishes
    /// when the cgroup is removed (v1, v2) or becomes empty (v2), and stops
    /// watching when the consumer stops iterating.
    public func oomEvents() throws(CgroupError) -> AsyncStream<OOMEvent> {
        let watcher = try OOMWatcher(cgroup: self)
        let (stream, continuation) = AsyncStream<OOMEvent>.makeStream(bufferingPolicy: .unbounded)
        let fd = watcher.descriptor.rawValue
        let loop = CgroupEventLoop.shared
        continuation.onTermination = { _ in
            // Holding `watcher` here keeps its descriptors open until the watch is removed.
            loop.remove(watcher.descriptor.rawValue)
        }
        try loop.add(fd) {
            while true {
                switch (try? watcher.check()) ?? .ended {
                case .none:
                    return
                case .oom(let event):
                    continuation.yield(event)
                case .ended:
                    continuation.finish()
                    return
                }
            }
        }
        return stream
    }
}
