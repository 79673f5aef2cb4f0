import SwiftProtobuf

/// The container's init process as the shim tracks it: the state machine
/// created -> running -> stopped -> deleted, its exit, and who waits for it.
actor InitProcess {
    enum Phase: Sendable, Equatable {
        case created, running, stopped, deleted
    }

    /// Where the start event stands, so the exit event never overtakes it.
    enum StartEvent: Sendable {
        case notStarted, starting, published
    }

    let id: String
    let bundle: String
    let io: ProcessIO
    let pid: Int32
    private(set) var phase: Phase = .created
    private(set) var exitStatus: UInt32 = 0
    private(set) var exitedAt: Google_Protobuf_Timestamp?
    private var startEvent: StartEvent = .notStarted
    private var startWaiters: [CheckedContinuation<Void, Never>] = []
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    init(id: String, bundle: String, io: ProcessIO, pid: Int32) {
        self.id = id
        self.bundle = bundle
        self.io = io
        self.pid = pid
    }

    func beginStart() { startEvent = .starting }

    func started() {
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

    func markDeleted() { phase = .deleted }
}
