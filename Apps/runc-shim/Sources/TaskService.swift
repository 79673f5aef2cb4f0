import Logging
import Mount
import OCISpec
import Reaper
import Runc
import SwiftProtobuf
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The `containerd.task.v2.Task` service for a container's init process,
/// driving runc through the Reaper.
final class TaskService: Sendable {
    static let serviceName = "containerd.task.v2.Task"

    let namespace: String
    let reaper: Reaper
    let events: EventPublisher
    let logger: Logger
    private let state = ShimTasks()
    /// Called when Shutdown decides the shim should exit.
    let onShutdown: @Sendable () -> Void

    init(namespace: String, reaper: Reaper, events: EventPublisher, logger: Logger, onShutdown: @escaping @Sendable () -> Void) {
        self.namespace = namespace
        self.reaper = reaper
        self.events = events
        self.logger = logger
        self.onShutdown = onShutdown
    }

    func service() -> TTRPCService {
        var service = TTRPCService(name: Self.serviceName)
        service.unary("Create") { [self] (request: ShimCreateTaskRequest, _) in try await create(request) }
        service.unary("Start") { [self] (request: ShimStartRequest, _) in try await start(request) }
        service.unary("State") { [self] (request: ShimStateRequest, _) in try await taskState(request) }
        service.unary("Kill") { [self] (request: ShimKillRequest, _) in try await kill(request) }
        service.unary("Wait") { [self] (request: ShimWaitRequest, _) in try await wait(request) }
        service.unary("Delete") { [self] (request: ShimDeleteRequest, _) in try await delete(request) }
        service.unary("Pids") { [self] (request: ShimPidsRequest, _) in try await pids(request) }
        service.unary("CloseIO") { [self] (request: ShimCloseIORequest, _) in try await closeIO(request) }
        service.unary("Connect") { [self] (request: ShimConnectRequest, _) in try await connect(request) }
        service.unary("Shutdown") { [self] (request: ShimShutdownRequest, _) in try await shutdown(request) }
        return service
    }

    /// runc, configured from the runtime options containerd gave for this task.
    func runc(_ options: RuncOptions) -> Runc {
        let root = options.root.isEmpty ? "/run/containerd/runc" : options.root
        return Runc(
            binary: options.binaryName.isEmpty ? "runc" : options.binaryName, root: root + "/" + namespace,
            systemdCgroup: options.systemdCgroup, monitor: ReaperMonitor(reaper: reaper))
    }

    // MARK: Create and start

    func create(_ request: ShimCreateTaskRequest) async throws -> ShimCreateTaskResponse {
        guard !request.id.isEmpty, !request.bundle.isEmpty else { throw TTRPCFailure.invalidArgument("id and bundle are required") }
        if request.terminal { throw TTRPCFailure.unimplemented("terminal containers are not supported by this shim yet") }
        if !request.checkpoint.isEmpty { throw TTRPCFailure.unimplemented("create from a checkpoint is not supported by this shim yet") }
        let options = try RuntimeOptions.decode(request.options)
        try await state.reserve(request.id)
        do {
            let process = try await createInit(request, options: options)
            await state.add(process, options: options)
            SavedOptions.write(options, bundle: request.bundle)
            var event = EventTaskCreate()
            event.containerID = request.id
            event.bundle = request.bundle
            event.rootfs = request.rootfs
            event.io.stdin = request.stdin
            event.io.stdout = request.stdout
            event.io.stderr = request.stderr
            event.io.terminal = request.terminal
            event.pid = UInt32(bitPattern: process.pid)
            await events.publish("/tasks/create", event)
            watchExit(process)
            var response = ShimCreateTaskResponse()
            response.pid = UInt32(bitPattern: process.pid)
            return response
        } catch {
            await state.release(request.id)
            throw error
        }
    }

    private func createInit(_ request: ShimCreateTaskRequest, options: RuncOptions) async throws -> InitProcess {
        let rootfs = request.bundle + "/rootfs"
        var mounted = false
        if !request.rootfs.isEmpty {
            mkdir(rootfs, 0o711)
            for mount in request.rootfs {
                try Mounter.mount(FilesystemMount(type: mount.type, source: mount.source, target: rootfs, options: mount.options))
            }
            mounted = true
        }
        do {
            let io = try ProcessIO(stdin: request.stdin, stdout: request.stdout, stderr: request.stderr)
            defer { io.closeRuncSide() }
            let pidFile = request.bundle + "/init.pid"
            do {
                try await runc(options).create(
                    request.id, bundle: request.bundle,
                    options: CreateOptions(pidFile: pidFile, noPivot: options.noPivotRoot, noNewKeyring: options.noNewKeyring, io: io.io))
            } catch {
                io.closeAll()
                throw TTRPCFailure.internal("\(error)")
            }
            guard let pid = Self.readPid(pidFile) else {
                io.closeAll()
                throw TTRPCFailure.internal("runc create left no pid in \(pidFile)")
            }
            logger.info("created", metadata: ["pid": "\(pid)"])
            return InitProcess(id: request.id, bundle: request.bundle, io: io, pid: pid)
        } catch {
            if mounted { try? Mounter.unmountRecursive(rootfs) }
            throw error
        }
    }

    static func readPid(_ path: String) -> Int32? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = fread(&buffer, 1, buffer.count, file)
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).filter(\.isNumber))
    }

    /// The exit of init arrives from the Reaper (init is re-parented to this
    /// subreaper when runc exits); even an exit before we knew the pid is kept.
    private func watchExit(_ process: InitProcess) {
        Task(executorPreference: EventLoop.shared) { [self] in
            let exit: ProcessExit
            do {
                exit = try await reaper.wait(for: process.pid)
            } catch {
                logger.error("waiting for init failed", metadata: ["error": "\(error)"])
                return
            }
            await process.waitForStartEvent()
            // Report the exit only once the client has read all the output.
            await process.io.drainOutputs()
            await process.exited(code: exit.code, seconds: exit.seconds, nanoseconds: exit.nanoseconds)
            logger.info("init exited", metadata: ["pid": "\(exit.pid)", "status": "\(exit.code)"])
            var event = EventTaskExit()
            event.containerID = process.id
            event.id = process.id
            event.pid = UInt32(bitPattern: exit.pid)
            event.exitStatus = UInt32(bitPattern: exit.code)
            event.exitedAt = Google_Protobuf_Timestamp(seconds: exit.seconds, nanos: exit.nanoseconds)
            await events.publish("/tasks/exit", event)
            await state.exitPublished(process.id)
        }
    }

    func start(_ request: ShimStartRequest) async throws -> ShimStartResponse {
        if !request.execID.isEmpty { throw TTRPCFailure.unimplemented("exec processes are not supported by this shim yet") }
        let (process, options) = try await state.get(request.id)
        guard await process.phase == .created else {
            throw TTRPCFailure.failedPrecondition("task \(request.id) is not in the created state")
        }
        await process.beginStart()
        do {
            try await runc(options).start(request.id)
        } catch {
            await process.startAborted()
            throw TTRPCFailure.internal("\(error)")
        }
        await process.started()
        var event = EventTaskStart()
        event.containerID = request.id
        event.pid = UInt32(bitPattern: process.pid)
        await events.publish("/tasks/start", event)
        await process.startPublished()
        var response = ShimStartResponse()
        response.pid = UInt32(bitPattern: process.pid)
        return response
    }

    // MARK: Queries

    func taskState(_ request: ShimStateRequest) async throws -> ShimStateResponse {
        if !request.execID.isEmpty { throw TTRPCFailure.notFound("exec \(request.execID) not found") }
        let (process, _) = try await state.get(request.id)
        var response = ShimStateResponse()
        response.id = request.id
        response.bundle = process.bundle
        response.pid = UInt32(bitPattern: process.pid)
        switch await process.phase {
        case .created: response.status = .created
        case .running: response.status = .running
        case .stopped, .deleted: response.status = .stopped
        }
        response.stdin = process.io.stdinPath
        response.stdout = process.io.stdoutPath
        response.stderr = process.io.stderrPath
        response.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { response.exitedAt = exitedAt }
        return response
    }

    func pids(_ request: ShimPidsRequest) async throws -> ShimPidsResponse {
        let (_, options) = try await state.get(request.id)
        let pids: [Int32]
        do {
            pids = try await runc(options).ps(request.id)
        } catch {
            throw TTRPCFailure.internal("\(error)")
        }
        var response = ShimPidsResponse()
        response.processes = pids.map { pid in
            var info = CTDProcessInfo()
            info.pid = UInt32(bitPattern: pid)
            return info
        }
        return response
    }

    func wait(_ request: ShimWaitRequest) async throws -> ShimWaitResponse {
        if !request.execID.isEmpty { throw TTRPCFailure.notFound("exec \(request.execID) not found") }
        let (process, _) = try await state.get(request.id, includingDeleted: true)
        await process.waitForExit()
        var response = ShimWaitResponse()
        response.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { response.exitedAt = exitedAt }
        return response
    }

    func connect(_ request: ShimConnectRequest) async throws -> ShimConnectResponse {
        var response = ShimConnectResponse()
        response.shimPid = UInt32(bitPattern: getpid())
        if let process = await state.process(request.id) { response.taskPid = UInt32(bitPattern: process.pid) }
        response.version = "swift-container-primitives runc-shim v1"
        return response
    }

    // MARK: Changes

    func kill(_ request: ShimKillRequest) async throws -> Google_Protobuf_Empty {
        if !request.execID.isEmpty { throw TTRPCFailure.notFound("exec \(request.execID) not found") }
        let (process, options) = try await state.get(request.id)
        if await process.hasExited { throw TTRPCFailure.notFound("process already finished") }
        do {
            try await runc(options).kill(request.id, signal: Int32(bitPattern: request.signal), all: request.all)
        } catch {
            if error.isNotFound || error.message.contains("process already finished") || error.message.contains("not running") {
                throw TTRPCFailure.notFound("process already finished")
            }
            throw TTRPCFailure.internal("\(error)")
        }
        return Google_Protobuf_Empty()
    }

    func closeIO(_ request: ShimCloseIORequest) async throws -> Google_Protobuf_Empty {
        if !request.execID.isEmpty { throw TTRPCFailure.notFound("exec \(request.execID) not found") }
        let (process, _) = try await state.get(request.id)
        if request.stdin { process.io.closeStdin() }
        return Google_Protobuf_Empty()
    }

    func delete(_ request: ShimDeleteRequest) async throws -> ShimDeleteResponse {
        if !request.execID.isEmpty { throw TTRPCFailure.notFound("exec \(request.execID) not found") }
        let (process, options) = try await state.get(request.id)
        if await process.phase == .running { throw TTRPCFailure.failedPrecondition("cannot delete a running task; kill it first") }
        do {
            try await runc(options).delete(request.id, force: true)
        } catch {
            if !error.isNotFound { throw TTRPCFailure.internal("\(error)") }
        }
        // A created task's init dies with the delete; its exit comes first.
        await process.waitForExit()
        await state.waitForExitEvent(request.id)
        process.io.closeAll()
        let rootfs = process.bundle + "/rootfs"
        if (try? MountTable.read().mounts(under: rootfs).isEmpty) == false {
            do {
                try Mounter.unmountRecursive(rootfs)
            } catch {
                logger.warning("unmounting the rootfs failed; detaching it", metadata: ["error": "\(error)"])
                try? Mounter.unmountRecursive(rootfs, lazy: true)
            }
        }
        await process.markDeleted()
        await state.deleted(request.id)
        var event = EventTaskDelete()
        event.containerID = request.id
        event.pid = UInt32(bitPattern: process.pid)
        event.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { event.exitedAt = exitedAt }
        await events.publish("/tasks/delete", event)
        var response = ShimDeleteResponse()
        response.pid = UInt32(bitPattern: process.pid)
        response.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { response.exitedAt = exitedAt }
        return response
    }

    func shutdown(_ request: ShimShutdownRequest) async throws -> Google_Protobuf_Empty {
        if !request.now, await state.hasLiveTasks() { return Google_Protobuf_Empty() }
        await events.flush()
        onShutdown()
        return Google_Protobuf_Empty()
    }
}

/// The tasks this shim holds (one init per shim in practice).
actor ShimTasks {
    private var tasks: [String: (process: InitProcess?, options: RuncOptions)] = [:]
    private var deletedTasks: [String: InitProcess] = [:]
    private var exitEvents: Set<String> = []
    private var exitEventWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func reserve(_ id: String) throws {
        guard tasks[id] == nil else { throw TTRPCFailure.alreadyExists("task \(id) already exists") }
        tasks[id] = (nil, RuncOptions())
    }

    func release(_ id: String) { tasks[id] = nil }

    func add(_ process: InitProcess, options: RuncOptions) { tasks[process.id] = (process, options) }

    func get(_ id: String, includingDeleted: Bool = false) throws -> (InitProcess, RuncOptions) {
        if let entry = tasks[id], let process = entry.process { return (process, entry.options) }
        if includingDeleted, let process = deletedTasks[id] { return (process, RuncOptions()) }
        throw TTRPCFailure.notFound("task \(id) not found")
    }

    func process(_ id: String) -> InitProcess? {
        tasks[id]?.process
    }

    func exitPublished(_ id: String) {
        exitEvents.insert(id)
        for waiter in exitEventWaiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    func waitForExitEvent(_ id: String) async {
        guard !exitEvents.contains(id) else { return }
        await withCheckedContinuation { exitEventWaiters[id, default: []].append($0) }
    }

    func deleted(_ id: String) {
        if let process = tasks.removeValue(forKey: id)?.process { deletedTasks[id] = process }
    }

    func hasLiveTasks() async -> Bool {
        for entry in tasks.values {
            if let process = entry.process, await !process.hasExited { return true }
        }
        return false
    }
}
