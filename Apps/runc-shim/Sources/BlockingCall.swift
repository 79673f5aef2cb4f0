#if canImport(Glibc)
    import Glibc
#endif

/// Runs a call that can block for long (umount2 of a busy overlay waits on
/// syncfs under I/O pressure) on a short-lived thread of its own, so the
/// shim's one loop keeps serving every other request, event and timer
/// meanwhile. Only for such calls: each costs a thread creation.
enum BlockingCall {
    static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let work = BlockingWork {
                continuation.resume(returning: body())
            }
            guard work.start() else {
                // No thread to be had: block the loop rather than skip the call.
                continuation.resume(returning: body())
                return
            }
        }
    }
}

/// The closure a blocking-call thread runs, retained until it ran.
private final class BlockingWork: @unchecked Sendable {
    let body: () -> Void

    init(_ body: @escaping () -> Void) { self.body = body }

    /// Starts the thread; false when pthread_create failed (nothing ran).
    func start() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 512 * 1024)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                Unmanaged<BlockingWork>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<BlockingWork>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
