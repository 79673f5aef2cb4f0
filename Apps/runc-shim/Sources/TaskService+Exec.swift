import Console
import OCISpec
import Runc
import SwiftProtobuf
import TTRPC

#if canImport(Glibc)
    import Glibc
#endif

/// Exec processes: reserved by id, started with `runc exec --detach`, each
/// on its own with no lock shared with other execs.
extension TaskService {
    func exec(_ request: ShimExecProcessRequest) async throws -> Google_Protobuf_Empty {
        guard !request.execID.isEmpty else { throw TTRPCFailure.invalidArgument("an exec id is required") }
        let (initProcess, options) = try await state.get(request.id)
        await initProcess.setupFinished()
        // As the Go shim: a created container takes execs (runc exec works
        // before runc start), a paused or stopped one does not.
        if await initProcess.pendingRestore != nil { throw TTRPCFailure.invalidState("cannot exec in a created state") }
        switch await initProcess.phase {
        case .created, .running: break
        case .pausing, .paused: throw TTRPCFailure.invalidState("cannot exec in a paused state")
        case .stopped, .deleted: throw TTRPCFailure.invalidState("cannot exec in a stopped state")
        }
        var process: ProcessSpec
        do {
            process = try OCIJSON.decode(ProcessSpec.self, from: request.spec.value)
        } catch {
            throw TTRPCFailure.failed("the exec's process spec does not decode: \(error)")
        }
        // The request decides whether there is a terminal; a spec copied from
        // the container's may say otherwise, and runc would refuse the console socket.
        process.terminal = request.terminal
        try await state.reserveExec(request.id, execID: request.execID)
        do {
            let relay: ConsoleRelay
            do {
                relay = try terminals.sharedRelay()
            } catch {
                throw TTRPCFailure.failed("cannot start the output relay: \(error)")
            }
            let io = try ProcessIO(
                stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, terminal: request.terminal,
                owner: (options.ioUid, options.ioGid), containerID: request.id, namespace: namespace, reaper: reaper, copyThrough: relay)
            await io.loggerReady()
            let exec = ShimProcess(id: request.id, execID: request.execID, bundle: initProcess.bundle, io: io)
            await exec.setSpec(process)
            await state.addExec(exec)
        } catch {
            await state.releaseExec(request.id, execID: request.execID)
            throw error
        }
        var event = EventTaskExecAdded()
        event.containerID = request.id
        event.execID = request.execID
        await events.publish("/tasks/exec-added", event)
        return Google_Protobuf_Empty()
    }

    func startExec(_ request: ShimStartRequest) async throws -> ShimStartResponse {
        let (initProcess, _) = try await state.get(request.id)
        let (exec, options) = try await state.process(request.id, execID: request.execID)
        let phase = await exec.phase
        guard phase == .created else { throw TTRPCFailure.invalidState("cannot start a \(phase.name) process") }
        // No exec may start once init has exited (runc would refuse it too).
        guard await !initProcess.hasExited else { throw TTRPCFailure.failed("OCI runtime exec failed: container \(request.id) is stopped") }
        guard let spec = await exec.spec else { throw TTRPCFailure.failed("exec \(request.execID) has no process spec") }
        await exec.beginStart()
        let pidFile = "\(exec.bundle)/\(request.execID).pid"
        let console = exec.io.terminal ? try terminals.socket() : nil
        defer { console?.close() }
        do {
            try await runc(options).exec(
                request.id, process: spec,
                options: ExecOptions(pidFile: pidFile, consoleSocket: console?.path, detach: true, io: exec.io.runcIO))
        } catch {
            exec.io.closeAll()
            await exec.startAborted()
            unlink(pidFile)
            throw TTRPCFailure.runtime("OCI runtime exec failed", error)
        }
        exec.io.closeRuncSide()
        let pid = Self.readPid(pidFile)
        unlink(pidFile)
        if let console {
            do {
                try await terminals.attach(console, to: exec)
            } catch {
                // No terminal to give it: the process must not run on unseen.
                if let pid { await abandon(pid) }
                exec.io.closeAll()
                await exec.startAborted()
                throw error
            }
        }
        guard let pid else {
            await exec.startAborted()
            throw TTRPCFailure.failed("runc exec left no pid in \(pidFile)")
        }
        await exec.started(pid: pid)
        // The exit may already be in the Reaper: it is kept until this claims it.
        watchExit(exec)
        var event = EventTaskExecStarted()
        event.containerID = request.id
        event.execID = request.execID
        event.pid = UInt32(bitPattern: pid)
        await events.publish("/tasks/exec-started", event)
        await exec.startPublished()
        var response = ShimStartResponse()
        response.pid = UInt32(bitPattern: pid)
        return response
    }

    /// Kills a process that started but cannot be served, and claims its
    /// exit so the Reaper does not keep it.
    private func abandon(_ pid: Int32) async {
        _ = try? await reaper.signalIfRunning(pid, signal: SIGKILL)
        let reaper = reaper
        Task(executorPreference: ShimLoop.ttrpc) { _ = try? await reaper.wait(for: pid) }
    }

    func deleteExec(_ request: ShimDeleteRequest) async throws -> ShimDeleteResponse {
        let (exec, _) = try await state.process(request.id, execID: request.execID)
        let phase = await exec.phase
        if phase == .running { throw TTRPCFailure.invalidState("cannot delete a running process") }
        if phase != .created {
            await exec.waitForExit()
            await exec.waitForExitEvent()
        }
        exec.io.closeAll()
        await exec.markDeleted()
        await state.releaseExec(request.id, execID: request.execID)
        var response = ShimDeleteResponse()
        response.pid = UInt32(bitPattern: await exec.pid)
        response.exitStatus = await exec.exitStatus
        if let exitedAt = await exec.exitedAt { response.exitedAt = exitedAt }
        return response
    }
}
