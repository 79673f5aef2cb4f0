import Cgroups
import Console
import OCISpec
import Runc
import SwiftProtobuf
import TTRPC

/// Pause and resume, process listing, resource updates, statistics,
/// terminal sizes and checkpoints.
extension TaskService {
    func pause(_ request: ShimPauseRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.get(request.id)
        switch await process.phase {
        case .running: break
        case .created: throw TTRPCFailure.invalidState("cannot pause task in created state")
        case .pausing, .paused: throw TTRPCFailure.invalidState("cannot pause a paused container")
        case .stopped, .deleted: throw TTRPCFailure.invalidState("cannot pause a stopped container")
        }
        await process.setPausing()
        do {
            try await runc(options).pause(request.id)
        } catch {
            await process.setResumed()
            throw TTRPCFailure.runtime("OCI runtime pause failed", error)
        }
        await process.setPaused()
        var event = EventTaskPaused()
        event.containerID = request.id
        await events.publish("/tasks/paused", event)
        return Google_Protobuf_Empty()
    }

    func resume(_ request: ShimResumeRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.get(request.id)
        switch await process.phase {
        case .paused: break
        case .created: throw TTRPCFailure.invalidState("cannot resume task in created state")
        case .running, .pausing: throw TTRPCFailure.invalidState("cannot resume a running process")
        case .stopped, .deleted: throw TTRPCFailure.invalidState("cannot resume a stopped container")
        }
        do {
            try await runc(options).resume(request.id)
        } catch {
            throw TTRPCFailure.runtime("OCI runtime resume failed", error)
        }
        await process.setResumed()
        var event = EventTaskResumed()
        event.containerID = request.id
        await events.publish("/tasks/resumed", event)
        return Google_Protobuf_Empty()
    }

    /// `runc ps`, with each exec's id attached as `containerd.runc.v1.ProcessDetails`.
    func pids(_ request: ShimPidsRequest) async throws -> ShimPidsResponse {
        let (_, options) = try await state.get(request.id)
        let pids: [Int32]
        do {
            pids = try await runc(options).ps(request.id)
        } catch {
            throw TTRPCFailure.runtime("OCI runtime ps failed", error)
        }
        var execsByPid: [Int32: String] = [:]
        for exec in await state.execs(of: request.id) { execsByPid[await exec.pid] = exec.execID }
        var response = ShimPidsResponse()
        response.processes = try pids.map { pid in
            var info = CTDProcessInfo()
            info.pid = UInt32(bitPattern: pid)
            if let execID = execsByPid[pid] {
                var details = RuncProcessDetails()
                details.execID = execID
                info.info.typeURL = RuncProcessDetails.protoMessageName
                info.info.value = try details.serializedBytes()
            }
            return info
        }
        return response
    }

    /// Resources as containerd sends them: OCI `LinuxResources` JSON, applied with `runc update`.
    func update(_ request: ShimUpdateTaskRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.get(request.id)
        guard await !process.hasExited else { throw TTRPCFailure.invalidState("cannot update a stopped container") }
        let resources: LinuxResources
        do {
            resources = try OCIJSON.decode(LinuxResources.self, from: request.resources.value)
        } catch {
            throw TTRPCFailure.failed("the resources do not decode: \(error)")
        }
        do {
            try await runc(options).update(request.id, resources: resources)
        } catch {
            throw TTRPCFailure.runtime("OCI runtime update failed", error)
        }
        return Google_Protobuf_Empty()
    }

    /// The init's cgroup statistics: `io.containerd.cgroups.v1.Metrics` on
    /// v1 and hybrid hosts, `io.containerd.cgroups.v2.Metrics` on unified ones.
    /// From the cgroup loaded at Create, so a stopped task that is not yet
    /// deleted still has them, as with the Go shim.
    func stats(_ request: ShimStatsRequest) async throws -> ShimStatsResponse {
        let (process, _) = try await state.get(request.id)
        await process.setupFinished()
        guard let cgroup = await process.cgroup else { throw TTRPCFailure.notFound("cgroup does not exist") }
        let snapshot: CgroupStats
        do {
            snapshot = try cgroup.stats()
        } catch {
            throw error.kind == .notFound ? TTRPCFailure.notFound("\(error)") : TTRPCFailure.failed("\(error)")
        }
        var response = ShimStatsResponse()
        switch snapshot {
        case .v1(let stats):
            let metrics = MetricsMapping.v1(stats)
            response.stats.typeURL = CgroupsV1Metrics.protoMessageName
            response.stats.value = try metrics.serializedBytes()
        case .v2(let stats):
            let metrics = MetricsMapping.v2(stats)
            response.stats.typeURL = CgroupsV2Metrics.protoMessageName
            response.stats.value = try metrics.serializedBytes()
        }
        return response
    }

    func resizePty(_ request: ShimResizePtyRequest) async throws -> Google_Protobuf_Empty {
        let (process, _) = try await state.process(request.id, execID: request.execID)
        // As the Go shim: a stopped exec refuses, a process without a terminal accepts and nothing changes.
        if !process.isInit, await process.hasExited { throw TTRPCFailure.invalidState("cannot resize a stopped container") }
        guard let console = await process.console else { return Google_Protobuf_Empty() }
        do {
            try Terminal(console).setWindowSize(
                WindowSize(rows: UInt16(clamping: request.height), columns: UInt16(clamping: request.width)))
        } catch {
            throw TTRPCFailure.failed("resize failed: \(error)")
        }
        return Google_Protobuf_Empty()
    }

    /// `runc checkpoint` with containerd's options.
    func checkpoint(_ request: ShimCheckpointTaskRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.get(request.id)
        switch await process.phase {
        case .running, .pausing, .paused: break
        case .created: throw TTRPCFailure.invalidState("cannot checkpoint a task in created state")
        case .stopped, .deleted: throw TTRPCFailure.invalidState("cannot checkpoint a stopped container")
        }
        var checkpoint = try Self.checkpointOptions(request)
        // CRIU's work directory (its dump.log), as the Go shim has it: the
        // one asked for and kept, else <bundle>/work/criu-work, removed after.
        let ownWorkPath = checkpoint.criu.workPath == nil
        let workPath = checkpoint.criu.workPath ?? process.bundle + "/work/criu-work"
        checkpoint.criu.workPath = workPath
        if ownWorkPath { CRIUWorkDirectory.create(workPath) }
        defer { if ownWorkPath { CRIUWorkDirectory.remove(workPath) } }
        do {
            try await runc(options).checkpoint(request.id, options: checkpoint)
        } catch {
            // CRIU's own account of the failure, kept beside the bundle.
            let dumpLog = process.bundle + "/criu-dump.log"
            CRIUWorkDirectory.copyLog(workPath + "/dump.log", to: dumpLog)
            throw TTRPCFailure.runtime("OCI runtime checkpoint failed (CRIU log: \(dumpLog))", error)
        }
        var event = EventTaskCheckpointed()
        event.containerID = request.id
        event.checkpoint = request.path
        await events.publish("/tasks/checkpointed", event)
        return Google_Protobuf_Empty()
    }

    /// containerd's `containerd.runc.v1.CheckpointOptions` as runc's.
    static func checkpointOptions(_ request: ShimCheckpointTaskRequest) throws -> CheckpointOptions {
        var given = RuncCheckpointOptions()
        if !request.options.value.isEmpty {
            do {
                given = try RuncCheckpointOptions(serializedBytes: request.options.value)
            } catch {
                throw TTRPCFailure.failed("the checkpoint options do not decode: \(error)")
            }
        }
        let imagePath = given.imagePath.isEmpty ? request.path : given.imagePath
        guard !imagePath.isEmpty else { throw TTRPCFailure.invalidArgument("a checkpoint needs an image path") }
        let criu = CRIUOptions(
            imagePath: imagePath, workPath: given.workPath.isEmpty ? nil : given.workPath, tcpEstablished: given.openTcp,
            externalUnixSockets: given.externalUnixSockets, shellJob: given.terminal, fileLocks: given.fileLocks,
            emptyNamespaces: given.emptyNamespaces)
        return CheckpointOptions(criu: criu, leaveRunning: !given.exit)
    }

    /// Start of a task created from a checkpoint: `runc restore --detach`
    /// from the image containerd unpacked at `checkpoint`; returns init's pid.
    func restore(_ process: ShimProcess, checkpoint: String, options: RuncOptions) async throws -> Int32 {
        let pidFile = process.bundle + "/init.pid"
        let console = process.io.terminal ? try terminals.socket() : nil
        defer { console?.close() }
        // CRIU's work directory: the one asked for, else the bundle's `work`, as the Go shim has it.
        let criu = CRIUOptions(
            imagePath: checkpoint, workPath: options.criuWorkPath.isEmpty ? process.bundle + "/work" : options.criuWorkPath,
            shellJob: process.io.terminal)
        do {
            try await runc(options).restore(
                process.id, bundle: process.bundle,
                options: RestoreOptions(
                    criu: criu, pidFile: pidFile, consoleSocket: console?.path, detach: true, noPivot: options.noPivotRoot,
                    io: process.io.runcIO))
        } catch {
            throw TTRPCFailure.runtime("OCI runtime restore failed", error)
        }
        process.io.closeRuncSide()
        guard let pid = Self.readPid(pidFile) else { throw TTRPCFailure.failed("runc restore left no pid in \(pidFile)") }
        await process.clearPendingRestore()
        if let console { try await terminals.attach(console, to: process) }
        logger.info("restored", metadata: ["pid": "\(pid)"])
        return pid
    }
}
