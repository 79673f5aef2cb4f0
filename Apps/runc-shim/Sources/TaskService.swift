import Cgroups
import Console
import Logging
import Mount
import OCISpec
import Reaper
import Runc
import SwiftProtobuf
import SystemPackage
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// The `containerd.task.v2.Task` service: a container's init and its execs,
/// driving runc through the Reaper. Requests for different processes never
/// wait on each other: bookkeeping is in actors, runc runs outside them.
final class TaskService: Sendable {
    let namespace: String
    /// The runtime contract this shim's binary speaks (runc.v1 or runc.v2).
    let flavor: ShimFlavor
    let reaper: Reaper
    let events: EventPublisher
    let logger: Logger
    let state = ShimTasks()
    let terminals = TerminalIO()
    let oomWatches = OOMWatches()
    let memoryTrimmer = IdleMemoryTrimmer()
    /// Called when Shutdown decides the shim should exit.
    let onShutdown: @Sendable () -> Void

    init(
        namespace: String, flavor: ShimFlavor = .v1, reaper: Reaper, events: EventPublisher, logger: Logger,
        onShutdown: @escaping @Sendable () -> Void
    ) {
        self.namespace = namespace
        self.flavor = flavor
        self.reaper = reaper
        self.events = events
        self.logger = logger
        self.onShutdown = onShutdown
    }

    /// The task service under each name this flavor serves (task API v2,
    /// and v3 for runc.v2: the same messages in another package).
    func services() -> [TTRPCService] {
        flavor.taskServiceNames.map { service(named: $0) }
    }

    func service(named name: String = ShimTaskMethods.serviceName) -> TTRPCService {
        var service = TTRPCService(name: name)
        let trimmer = memoryTrimmer
        // Every method notes its end, so the heap is trimmed once the shim goes quiet.
        func unary<Request: Message & Sendable, Response: Message & Sendable>(
            _ method: TTRPCMethod<Request, Response>, _ body: @escaping @Sendable (Request) async throws -> Response
        ) {
            service.unary(method) { (request: Request, _) in
                defer { trimmer.noteActivity() }
                return try await body(request)
            }
        }
        unary(ShimTaskMethods.create) { [self] (request: ShimCreateTaskRequest) in try await create(request) }
        unary(ShimTaskMethods.start) { [self] (request: ShimStartRequest) in try await start(request) }
        unary(ShimTaskMethods.state) { [self] (request: ShimStateRequest) in try await taskState(request) }
        unary(ShimTaskMethods.kill) { [self] (request: ShimKillRequest) in try await kill(request) }
        unary(ShimTaskMethods.wait) { [self] (request: ShimWaitRequest) in try await wait(request) }
        unary(ShimTaskMethods.delete) { [self] (request: ShimDeleteRequest) in try await delete(request) }
        unary(ShimTaskMethods.pids) { [self] (request: ShimPidsRequest) in try await pids(request) }
        unary(ShimTaskMethods.closeIO) { [self] (request: ShimCloseIORequest) in try await closeIO(request) }
        unary(ShimTaskMethods.exec) { [self] (request: ShimExecProcessRequest) in try await exec(request) }
        unary(ShimTaskMethods.resizePty) { [self] (request: ShimResizePtyRequest) in try await resizePty(request) }
        unary(ShimTaskMethods.pause) { [self] (request: ShimPauseRequest) in try await pause(request) }
        unary(ShimTaskMethods.resume) { [self] (request: ShimResumeRequest) in try await resume(request) }
        unary(ShimTaskMethods.update) { [self] (request: ShimUpdateTaskRequest) in try await update(request) }
        unary(ShimTaskMethods.stats) { [self] (request: ShimStatsRequest) in try await stats(request) }
        unary(ShimTaskMethods.checkpoint) { [self] (request: ShimCheckpointTaskRequest) in try await checkpoint(request) }
        unary(ShimTaskMethods.connect) { [self] (request: ShimConnectRequest) in try await connect(request) }
        unary(ShimTaskMethods.shutdown) { [self] (request: ShimShutdownRequest) in try await shutdown(request) }
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
        let options = try RuntimeOptions.decode(request.options)
        try await state.reserve(request.id)
        do {
            let process = try await createInit(request, options: options)
            await state.add(process, options: options)
            // 0 for a restore, which runs at Start.
            let pid = await process.pid
            // The reply does not wait for the bookkeeping; Start, Exec and
            // Delete wait for it, so the create event still comes first and
            // the OOM watch exists before the process runs.
            await process.setSetup(
                Task(executorPreference: ShimLoop.ttrpc) { [self] in
                    await publishCreated(request, pid: pid)
                    if pid > 0 { await watch(process, pid: pid) }
                })
            var response = ShimCreateTaskResponse()
            response.pid = UInt32(bitPattern: pid)
            return response
        } catch {
            await state.release(request.id)
            throw error
        }
    }

    private func publishCreated(_ request: ShimCreateTaskRequest, pid: Int32) async {
        var event = EventTaskCreate()
        event.containerID = request.id
        event.bundle = request.bundle
        event.rootfs = request.rootfs
        event.io.stdin = request.stdin
        event.io.stdout = request.stdout
        event.io.stderr = request.stderr
        event.io.terminal = request.terminal
        event.checkpoint = request.checkpoint
        event.pid = UInt32(bitPattern: pid)
        await events.publish("/tasks/create", event)
    }

    /// Once init has a pid: its cgroup (for Stats), the OOM watch — before
    /// the process runs, or a fast allocation could be killed before the
    /// watch exists — and the wait for its exit.
    private func watch(_ process: ShimProcess, pid: Int32) async {
        do {
            let cgroup = try Cgroup.load(pid: pid)
            await process.setCgroup(cgroup)
            oomWatches.start(containerID: process.id, cgroup: cgroup, events: events, logger: logger)
        } catch {
            logger.warning("no cgroup for stats and OOM notifications", metadata: ["error": "\(error)"])
        }
        watchExit(process)
    }

    /// Mounts the rootfs, sets up the IO and runs `runc create`. From a
    /// checkpoint nothing runs yet: as in the Go shim, `runc restore` is
    /// Start's work, and until then the task is created with pid 0.
    private func createInit(_ request: ShimCreateTaskRequest, options: RuncOptions) async throws -> ShimProcess {
        let rootfs = request.bundle + "/rootfs"
        var mounted = false
        // Before runc runs: the `delete` action finds runc's root here even
        // if this shim dies right after.
        SavedOptions.write(options, bundle: request.bundle)
        if !request.rootfs.isEmpty {
            mkdir(rootfs, 0o711)
            for mount in request.rootfs {
                try Mounter.mount(FilesystemMount(type: mount.type, source: mount.source, target: rootfs, options: mount.options))
            }
            mounted = true
        }
        do {
            var relay: ConsoleRelay?
            let owner = (uid: options.ioUid, gid: options.ioGid)
            if ProcessIO.initNeedsRelay(stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, terminal: request.terminal) {
                do {
                    relay = try terminals.sharedRelay()
                } catch {
                    throw TTRPCFailure.failed("cannot start the output relay: \(error)")
                }
            }
            let io = try ProcessIO(
                stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, terminal: request.terminal,
                owner: owner, containerID: request.id, namespace: namespace, reaper: reaper, copyThrough: relay)
            await io.loggerReady()
            if !request.checkpoint.isEmpty {
                let process = ShimProcess(id: request.id, bundle: request.bundle, io: io)
                await process.setPendingRestore(request.checkpoint)
                logger.info("created from a checkpoint; restored at start", metadata: ["checkpoint": "\(request.checkpoint)"])
                return process
            }
            let pidFile = request.bundle + "/init.pid"
            let console = request.terminal ? try terminals.socket() : nil
            defer { console?.close() }
            do {
                try await runc(options).create(
                    request.id, bundle: request.bundle,
                    options: CreateOptions(
                        pidFile: pidFile, consoleSocket: console?.path, noPivot: options.noPivotRoot,
                        noNewKeyring: options.noNewKeyring,
                        io: io.runcIO))
            } catch {
                io.closeAll()
                throw TTRPCFailure.runtime("OCI runtime create failed", error)
            }
            io.closeRuncSide()
            guard let pid = Self.readPid(pidFile) else {
                io.closeAll()
                throw TTRPCFailure.failed("runc create left no pid in \(pidFile)")
            }
            let process = ShimProcess(id: request.id, bundle: request.bundle, io: io, pid: pid)
            if let console { try await terminals.attach(console, to: process) }
            logger.info("created", metadata: ["pid": "\(pid)"])
            return process
        } catch {
            // Off the loop: a busy mount is retried for seconds (EBUSY).
            if mounted { await BlockingCall.run { _ = try? Mounter.unmountRecursive(rootfs) } }
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

    /// The exit of a process arrives from the Reaper (the process is
    /// re-parented to this subreaper when runc exits); an exit that came
    /// before the pid was known is kept for us. Execs' exits are published
    /// before their init's, each exit after its start event.
    func watchExit(_ process: ShimProcess) {
        Task(executorPreference: ShimLoop.ttrpc) { [self] in
            let pid = await process.pid
            let exit: ProcessExit
            do {
                exit = try await reaper.wait(for: pid)
            } catch {
                logger.error("waiting for a process failed", metadata: ["pid": "\(pid)", "error": "\(error)"])
                return
            }
            await process.waitForStartEvent()
            // Report the exit only once the client has read all the output.
            await process.io.drainOutputs()
            await process.exited(code: exit.code, seconds: exit.seconds, nanoseconds: exit.nanoseconds)
            if process.isInit { await initExited(process) }
            logger.info("process exited", metadata: ["exec": "\(process.execID)", "pid": "\(exit.pid)", "status": "\(exit.code)"])
            var event = EventTaskExit()
            event.containerID = process.id
            event.id = process.displayID
            event.pid = UInt32(bitPattern: exit.pid)
            event.exitStatus = UInt32(bitPattern: exit.code)
            event.exitedAt = Google_Protobuf_Timestamp(seconds: exit.seconds, nanos: exit.nanoseconds)
            await events.publish("/tasks/exit", event)
            await process.exitEventQueued()
        }
    }

    /// Before init's exit is published: in a pid namespace of its own its
    /// execs die with it; in the host's they may not, so everything left in
    /// the container is killed. Either way the execs' exits go out first.
    private func initExited(_ process: ShimProcess) async {
        await oomWatches.stop(process.id, events: events)
        // In the host's pid namespace nothing dies with init: kill what is left
        // of the container (`runc kill --all`, every process in its cgroup).
        if Self.sharesHostPidNamespace(bundle: process.bundle), let (_, options) = try? await state.get(process.id) {
            try? await runc(options).kill(process.id, signal: SIGKILL, all: true)
        }
        var running: [ShimProcess] = []
        for exec in await state.execs(of: process.id) {
            let started = await exec.hasStarted
            let reported = await exec.isExitEventQueued
            if started && !reported { running.append(exec) }
        }
        // Bounded: an exec that somehow outlives its init must not hold init's exit forever.
        let deadline = ContinuousClock.now + .seconds(10)
        for exec in running {
            while ContinuousClock.now < deadline {
                if await exec.isExitEventQueued { break }
                await LoopWait.sleep(for: .milliseconds(2))
            }
        }
    }

    static func sharesHostPidNamespace(bundle: String) -> Bool {
        guard let spec = try? Spec.load(from: .init(bundle + "/config.json")) else { return false }
        return !(spec.linux?.namespaces ?? []).contains { $0.type == .pid && ($0.path ?? "").isEmpty }
    }

    func start(_ request: ShimStartRequest) async throws -> ShimStartResponse {
        if !request.execID.isEmpty { return try await startExec(request) }
        let (process, options) = try await state.get(request.id)
        let phase = await process.phase
        guard phase == .created else { throw TTRPCFailure.invalidState("cannot start a \(phase.name) process") }
        await process.setupFinished()
        await process.beginStart()
        if let checkpoint = await process.pendingRestore {
            let pid: Int32
            do {
                pid = try await restore(process, checkpoint: checkpoint, options: options)
            } catch {
                await process.startAborted()
                throw error
            }
            await process.started(pid: pid)
            await watch(process, pid: pid)
        } else {
            do {
                try await runc(options).start(request.id)
            } catch {
                await process.startAborted()
                throw TTRPCFailure.runtime("OCI runtime start failed", error)
            }
            await process.started()
        }
        let pid = await process.pid
        var event = EventTaskStart()
        event.containerID = request.id
        event.pid = UInt32(bitPattern: pid)
        await events.publish("/tasks/start", event)
        await process.startPublished()
        var response = ShimStartResponse()
        response.pid = UInt32(bitPattern: pid)
        return response
    }

    // MARK: Queries

    func taskState(_ request: ShimStateRequest) async throws -> ShimStateResponse {
        let (process, _) = try await state.process(request.id, execID: request.execID)
        var response = ShimStateResponse()
        response.id = process.displayID
        response.execID = request.execID
        response.bundle = process.bundle
        response.pid = UInt32(bitPattern: await process.pid)
        var phase = await process.phase
        // A paused container's execs are paused with it.
        if !process.isInit, phase == .running, let initProcess = await state.process(request.id) {
            let initPhase = await initProcess.phase
            if initPhase == .paused || initPhase == .pausing { phase = initPhase }
        }
        switch phase {
        case .created: response.status = .created
        case .running: response.status = .running
        case .pausing: response.status = .pausing
        case .paused: response.status = .paused
        case .stopped, .deleted: response.status = .stopped
        }
        response.stdin = process.io.stdinPath
        response.stdout = process.io.stdoutPath
        response.stderr = process.io.stderrPath
        response.terminal = process.io.terminal
        response.exitStatus = await process.exitStatus
        // Not exited yet: Go's zero time.Time (0001-01-01T00:00:00Z), which the Go shim sends.
        response.exitedAt = await process.exitedAt ?? Google_Protobuf_Timestamp(seconds: -62_135_596_800, nanos: 0)
        return response
    }

    func wait(_ request: ShimWaitRequest) async throws -> ShimWaitResponse {
        let process: ShimProcess
        if request.execID.isEmpty {
            process = try await state.get(request.id, includingDeleted: true).0
        } else {
            process = try await state.process(request.id, execID: request.execID).0
        }
        await process.waitForExit()
        var response = ShimWaitResponse()
        response.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { response.exitedAt = exitedAt }
        return response
    }

    func connect(_ request: ShimConnectRequest) async throws -> ShimConnectResponse {
        var response = ShimConnectResponse()
        response.shimPid = UInt32(bitPattern: getpid())
        if let process = await state.process(request.id) { response.taskPid = UInt32(bitPattern: await process.pid) }
        response.version = "swift-container-primitives \(flavor.binaryName)"
        return response
    }

    // MARK: Changes

    func kill(_ request: ShimKillRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.process(request.id, execID: request.execID)
        if await process.hasExited { throw TTRPCFailure.notFound("process already finished") }
        let signal = Int32(bitPattern: request.signal)
        if !process.isInit {
            guard await process.phase != .created else { throw TTRPCFailure.failedPrecondition("exec \(request.execID) has not started") }
            // Its exit is reported only after its output is drained; the pid
            // may be reaped (and reused) well before. The Reaper signals it
            // only while it is still our unreaped child.
            let sent: Bool
            do {
                sent = try await reaper.signalIfRunning(await process.pid, signal: signal)
            } catch {
                throw TTRPCFailure.failed("exec kill failed: \(error)")
            }
            guard sent else { throw TTRPCFailure.notFound("process already finished") }
            return Google_Protobuf_Empty()
        }
        do {
            try await runc(options).kill(request.id, signal: signal, all: request.all)
        } catch {
            if error.message.contains("process already finished") || error.message.contains("not running")
                || error.message.lowercased().contains("no such process")
            {
                throw TTRPCFailure.notFound("process already finished")
            }
            if error.isNotFound { throw TTRPCFailure.notFound("no such container") }
            throw TTRPCFailure.runtime("kill failed", error)
        }
        return Google_Protobuf_Empty()
    }

    func closeIO(_ request: ShimCloseIORequest) async throws -> Google_Protobuf_Empty {
        let (process, _) = try await state.process(request.id, execID: request.execID)
        if request.stdin { process.io.closeStdin() }
        return Google_Protobuf_Empty()
    }

    func delete(_ request: ShimDeleteRequest) async throws -> ShimDeleteResponse {
        if !request.execID.isEmpty { return try await deleteExec(request) }
        let (process, options) = try await state.get(request.id)
        let phase = await process.phase
        if phase == .running || phase == .paused || phase == .pausing {
            throw TTRPCFailure.invalidState("cannot delete a \(phase.name) process")
        }
        // Its own task: a client that times out (or cancels) does not stop
        // the deletion half way, and a retry gets the same response.
        let deletion = await process.joinDeletion {
            Task(executorPreference: ShimLoop.ttrpc) { [self] in try await deleteInit(request.id, process, options) }
        }
        do {
            return try await deletion.value
        } catch {
            throw TTRPCFailure.runtime("failed to delete task", error)
        }
    }

    private func deleteInit(_ id: String, _ process: ShimProcess, _ options: RuncOptions) async throws -> ShimDeleteResponse {
        await process.setupFinished()
        do {
            try await runc(options).delete(id, force: true)
        } catch {
            if !error.isNotFound {
                await process.forgetDeletion()
                throw TTRPCFailure.runtime("failed to delete task", error)
            }
        }
        if await process.pid == 0 {
            // Created from a checkpoint and never restored: nothing ran.
            await process.neverRan()
        } else {
            // A created task's init dies with the delete; its exit comes first.
            await process.waitForExit()
            await process.waitForExitEvent()
        }
        process.io.closeAll()
        let rootfs = process.bundle + "/rootfs"
        // A rootfs that is no mount root had nothing mounted by us (statx,
        // no mount table to read); otherwise unmount what the table lists.
        if (try? Mounter.isMountRoot(rootfs)) != false, (try? MountTable.read().mounts(under: rootfs).isEmpty) == false {
            // Off the loop: umount2 can wait seconds on a busy host (#7496).
            let logger = logger
            await BlockingCall.run {
                do {
                    try Mounter.unmountRecursive(rootfs)
                } catch {
                    logger.warning("unmounting the rootfs failed; detaching it", metadata: ["error": "\(error)"])
                    try? Mounter.unmountRecursive(rootfs, lazy: true)
                }
            }
        }
        await process.markDeleted()
        await state.deleted(id)
        let pid = await process.pid
        var event = EventTaskDelete()
        event.containerID = id
        event.pid = UInt32(bitPattern: pid)
        event.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { event.exitedAt = exitedAt }
        await events.publish("/tasks/delete", event)
        var response = ShimDeleteResponse()
        response.pid = UInt32(bitPattern: pid)
        response.exitStatus = await process.exitStatus
        if let exitedAt = await process.exitedAt { response.exitedAt = exitedAt }
        return response
    }

    func shutdown(_ request: ShimShutdownRequest) async throws -> Google_Protobuf_Empty {
        // A deletion still unmounting finishes first, so the shim never exits
        // with the rootfs half removed or its delete event unsent.
        if !request.now {
            for deletion in await state.deletionsInProgress() { _ = try? await deletion.value }
            switch flavor {
            case .v1:
                if await state.hasLiveTasks() { return Google_Protobuf_Empty() }
            case .v2:
                // The shim serves a group: it stays while any container of
                // it is not deleted yet, as containerd's runc.v2 shim does.
                if await state.hasContainers() { return Google_Protobuf_Empty() }
            }
        }
        // The reply goes out first; the exit that follows flushes the events
        // still queued (the delete event) before the process ends.
        onShutdown()
        return Google_Protobuf_Empty()
    }
}
