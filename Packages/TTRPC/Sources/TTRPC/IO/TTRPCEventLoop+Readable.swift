internal import LinuxSupport

extension TTRPCEventLoop {
    /// Calls `handler` on the loop thread whenever `fd` is readable
    /// (epoll(7) EPOLLIN), until ``stopWatchingReadable(_:)``: for a process
    /// that already runs this loop to wait on other descriptors (an eventfd,
    /// an inotify fd) without a thread of their own. The handler must
    /// consume what made `fd` readable and must not block. The caller keeps
    /// `fd` open while watched.
    public func watchReadable(_ fd: Int32, _ handler: @escaping @Sendable () -> Void) throws(TTRPCError) {
        try watch(fd, events: .readable, ReadableWatcher(handler))
    }

    /// Stops calling the handler for `fd`; call before closing it.
    public func stopWatchingReadable(_ fd: Int32) {
        unwatch(fd)
    }
}

private final class ReadableWatcher: EventLoopWatcher {
    let handler: @Sendable () -> Void
    init(_ handler: @escaping @Sendable () -> Void) { self.handler = handler }
    func ready(_ events: ReactorEvents) { handler() }
}
