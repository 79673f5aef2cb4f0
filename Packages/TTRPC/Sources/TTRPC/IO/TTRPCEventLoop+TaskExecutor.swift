/// The event loop as a task executor (SE-0417): tasks that prefer it run
/// their jobs on the loop thread, and so do the default actors they call.
/// A server runs its handlers this way, so a process that serves ttrpc and
/// does little else needs no threads from the concurrency pool at all.
///
/// ```swift
/// Task(executorPreference: TTRPCEventLoop.shared) { await work() }
/// ```
///
/// Work that blocks a thread must not run here: it would stall every socket
/// of the loop. Hand such work to another executor.
extension TTRPCEventLoop: TaskExecutor {
    /// Runs `job` on the loop's thread (TaskExecutor); the loop wakes for it through its eventfd.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        execute { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
