/// A reactor as a task executor (SE-0417): tasks that prefer it run their
/// jobs on the loop thread, and so do the default actors they call, so a
/// process that does its work on one reactor needs no thread of Swift's
/// concurrency pool.
extension Reactor: TaskExecutor {
    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        execute { unowned.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
