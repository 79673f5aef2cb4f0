import Cgroups
import Console
import OCISpec
import SwiftProtobuf

/// A process the shim tracks: a container's init (empty ``execID``) or an
/// exec. The state machine created -> running (-> pausing -> paused ->
/// running) -> stopped -> deleted, its exit, and who waits for it.
actor ShimProcess {
    enum Phase: Sendable, Equatable {
        case created, running, pausing, paused, stopped, deleted

        /// The state's name as errors use it ("cannot start a running process").
        var name: String {
            switch self {
            case .created: "created"
            case .running: "running"
            case .pausing: "pausing"
            case .paused: "paused"
            case .stopped, .deleted: "stopped"
            }
        }
    }

    /// Where the start event stands, so the exit event never overtakes it.
    enum StartEvent: Sendable {
        case notStarted, starting, published
    }

    let id: String
    /// Empty for the container's init.
    let execID: String
    let bundle: String
    let io: ProcessIO
    /// Known at creation for init, at start for an exec.
    private(set) var pid: Int32
    private(set) var phase: Phase = .created
    private(set) var exitStatus: UInt32 = 0
    private(set) var exitedAt: Google_Protobuf_Timestamp?
    /// The pty master of a terminal process, for ResizePty; closed once the process is gone.
    private(set) var console: ConsoleDescriptor?
    /// An exec's process, until it is started.
    private(set) var spec: ProcessSpec?
    /// Init's cgroup, loaded once it has a pid: Stats answer from it until
    /// the task is deleted, as the Go shim's do, also after init exited.
    private(set) var cgroup: Cgroup?
    /// Init's bookkeeping after the Create reply (create event, OOM watch, exit watch).
    private var setup: Task<Void, Never>?
    /// The checkpoint image a created-from-checkpoint init is restored from at Start.
    private(set) var pendingRestore: String?
    private var startEvent: StartEvent = .notStarted
    private var startWaiters: [CheckedContinuation<Void, Never>] = []
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private var exitEventPublished = false
    private var exitEventWaiters: [CheckedContinuation<Void, Never>] = []
    /// Init's deletion once a Delete started it: retries and Shutdown wait for it.
    private(set) var deletion: Task<ShimDeleteResponse, any Error>?

    init(id: String, execID: String = "", bundle: String, io: ProcessIO, pid: Int32 = 0) {
        self.id = id
        self.execID = execID
        self.bundle = bundle
        self.io = io
        self.pid = pid
    }

    nonisolated var isInit: Bool { execID.isEmpty }
    /// The id events and errors use: the exec id, or the container id for init.
    nonisolated var displayID: String { execID.isEmpty ? id : execID }

    func attachConsole(_ master: ConsoleDescriptor) { console = master }

    func setSpec(_ spec: ProcessSpec) { self.spec = spec }

    func setCgroup(_ cgroup: Cgroup?) { self.cgroup = cgroup }

    func setSetup(_ task: Task<Void, Never>) { setup = task }

    /// Returns once init's bookkeeping after Create is done.
    func setupFinished() async { await setup?.value }

    func setPendingRestore(_ checkpoint: String) { pendingRestore = checkpoint }
    func clearPendingRestore() { pendingRestore = nil }

    /// Deleted before it ever ran (a restore that never started): waiters
    /// are released with status 0, and no exit event is owed.
    func neverRan() {
        if exitedAt == nil { exited(code: 0, seconds: 0, nanoseconds: 0) }
        exitEventQueued()
    }

    func beginStart() { startEvent = .starting }

    func started(pid: Int32? = nil) {
        if let pid { self.pid = pid }
        if phase == .created { phase = .running }
    }

    func startAborted() {
        startEvent = .notStarted
        resumeStartWaiters()
    }

    func startPublished() {
        startEvent = .published
        resumeStartWaiters()
    }

    private func resumeStartWaiters() {
        let waiters = startWaiters
        startWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a start in progress has published its event.
    func waitForStartEvent() async {
        guard startEvent == .starting else { return }
        await withCheckedContinuation { startWaiters.append($0) }
    }

    var hasStarted: Bool { startEvent == .published || phase != .created }

    func setPausing() { if phase == .running { phase = .pausing } }
    func setPaused() { if phase == .pausing || phase == .running { phase = .paused } }
    func setResumed() { if phase == .paused || phase == .pausing { phase = .running } }

    func exited(code: Int32, seconds: Int64, nanoseconds: Int32) {
        guard exitedAt == nil else { return }
        exitStatus = UInt32(bitPattern: code)
        exitedAt = Google_Protobuf_Timestamp(seconds: seconds, nanos: nanoseconds)
        if phase != .deleted { phase = .stopped }
        io.closeStdin()
        let waiters = exitWaiters
        exitWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the process has exited.
    func waitForExit() async {
        guard exitedAt == nil else { return }
        await withCheckedContinuation { exitWaiters.append($0) }
    }

    var hasExited: Bool { exitedAt != nil }

    /// The exit event went to the publisher: an init exit waits for its execs' first.
    func exitEventQueued() {
        exitEventPublished = true
        closeConsole()
        let waiters = exitEventWaiters
        exitEventWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    func waitForExitEvent() async {
        guard !exitEventPublished else { return }
        await withCheckedContinuation { exitEventWaiters.append($0) }
    }

    var isExitEventQueued: Bool { exitEventPublished }

    func closeConsole() {
        console?.close()
        console = nil
    }

    func markDeleted() { phase = .deleted }

    /// The deletion under way, or the one `start` begins now: a Delete
    /// retried after its client gave up (a slow unmount, containerd #7496)
    /// joins the first instead of running a second, and gets its result.
    func joinDeletion(_ start: @Sendable () -> Task<ShimDeleteResponse, any Error>) -> Task<ShimDeleteResponse, any Error> {
        if let deletion { return deletion }
        let task = start()
        deletion = task
        return task
    }

    /// Lets a later Delete try again after this deletion failed.
    func forgetDeletion() { deletion = nil }
}
