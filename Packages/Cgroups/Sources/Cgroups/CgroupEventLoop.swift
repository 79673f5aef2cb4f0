import CCgroupsLinux
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One epoll thread per process, started on first use, that waits on every
/// ``OOMWatcher`` feeding an ``Cgroup/oomEvents()`` sequence and runs their
/// handlers. Callers with a poll loop of their own use ``OOMWatcher``'s
/// descriptor instead and need no thread.
final class CgroupEventLoop: Sendable {
    static let shared = CgroupEventLoop()

    private let epoll: Int32
    private let handlers = Mutex<[Int32: @Sendable () -> Void]>([:])
    private let started = Mutex<Bool>(false)

    private init() {
        epoll = ccgroups_epoll_create()
    }

    /// Calls `handler` on the loop thread whenever `fd` is readable, until ``remove(_:)``.
    func add(_ fd: Int32, handler: @escaping @Sendable () -> Void) throws(CgroupError) {
        guard epoll >= 0 else { throw CgroupError(.system, operation: "epoll_create1", errno: .noMemory) }
        try startIfNeeded()
        handlers.withLock { $0[fd] = handler }
        if ccgroups_epoll_add(epoll, fd) != 0 {
            let code = Errno(rawValue: errno)
            handlers.withLock { _ = $0.removeValue(forKey: fd) }
            throw CgroupError(.system, operation: "epoll_ctl", errno: code)
        }
    }

    func remove(_ fd: Int32) {
        _ = ccgroups_epoll_delete(epoll, fd)
        _ = handlers.withLock { $0.removeValue(forKey: fd) }
    }

    private func startIfNeeded() throws(CgroupError) {
        let needed = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard needed else { return }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 128 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(&thread, &attributes, cgroupEventThreadMain, context)
        guard result == 0 else {
            Unmanaged<CgroupEventLoop>.fromOpaque(context).release()
            started.withLock { $0 = false }
            throw CgroupError(.system, operation: "pthread_create", errno: Errno(rawValue: result))
        }
        pthread_detach(thread)
    }

    fileprivate func run() -> Never {
        ccgroups_name_thread("cgroup-events")
        var ready = [Int32](repeating: 0, count: 32)
        while true {
            let count = ready.withUnsafeMutableBufferPointer { buffer in
                ccgroups_epoll_wait(epoll, buffer.baseAddress, Int32(buffer.count), -1)
            }
            guard count > 0 else { continue }
            for fd in ready.prefix(Int(count)) {
                let handler = handlers.withLock { $0[fd] }
                handler?()
            }
        }
    }
}

private func cgroupEventThreadMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    Unmanaged<CgroupEventLoop>.fromOpaque(context).takeRetainedValue().run()
}
