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
        guard await process.phase == .running else { throw TTRPCFailure.failedPrecondition("task \(request.id) is not running") }
        await process.setPausing()
        do {
            try await runc(options).pause(request.id)
        } catch {
            await process.setResumed()
            throw TTRPCFailure.internal("\(error)")
        }
        await process.setPaused()
        var event = EventTaskPaused()
        event.containerID = request.id
        await events.publish("/tasks/paused", event)
        return Google_Protobuf_Empty()
    }

    func resume(_ request: ShimResumeRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.get(request.id)
        guard await process.phase == .paused else { throw TTRPCFailure.failedPrecondition("task \(request.id) is not paused") }
        do {
            try await runc(options).resume(request.id)
        } catch {
            throw TTRPCFailure.internal("\(error)")
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
            throw TTRPCFailure.internal("\(error)")
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
        guard await !process.hasExited else { throw TTRPCFailure.failedPrecondition("task \(request.id) is not running") }
        let resources: LinuxResources
        do {
            resources = try OCIJSON.decode(LinuxResources.self, from: request.resources.value)
        } catch {
            throw TTRPCFailure.invalidArgument("the resources do not decode: \(error)")
        }
        do {
            try await runc(options).update(request.id, resources: resources)
        } catch {
            throw TTRPCFailure.internal("\(error)")
        }
        return Google_Protobuf_Empty()
    }

    /// The init's cgroup statistics: `io.containerd.cgroups.v1.Metrics` on
    /// v1 and hybrid hosts, `io.containerd.cgroups.v2.Metrics` on unified ones.
    func stats(_ request: ShimStatsRequest) async throws -> ShimStatsResponse {
        let (process, _) = try await state.get(request.id)
        guard await !process.hasExited else { throw TTRPCFailure.notFound("task \(request.id) has exited") }
        let snapshot: CgroupStats
        do {
            snapshot = try Cgroup.load(pid: await process.pid).stats()
        } catch {
            throw error.kind == .notFound ? TTRPCFailure.notFound("\(error)") : TTRPCFailure.internal("\(error)")
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
        guard let console = await process.console else {
            throw TTRPCFailure.failedPrecondition("\(process.displayID) has no terminal")
        }
        do {
            try Terminal(console).setWindowSize(
                WindowSize(rows: UInt16(clamping: request.height), columns: UInt16(clamping: request.width)))
        } catch {
            throw TTRPCFailure.internal("\(error)")
        }
        return Google_Protobuf_Empty()
    }

    /// `runc checkpoint` with containerd's options.
    func checkpoint(_ request: ShimCheckpointTaskRequest) async throws -> Google_Protobuf_Empty {
        let (process, options) = try await state.get(request.id)
        let phase = await process.phase
        guard phase == .running || phase == .paused else {
            throw TTRPCFailure.failedPrecondition("task \(request.id) is not running")
        }
        let checkpoint = try Self.checkpointOptions(request)
        do {
            try await runc(options).checkpoint(request.id, options: checkpoint)
        } catch {
            throw TTRPCFailure.internal("\(error)")
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
                throw TTRPCFailure.invalidArgument("the checkpoint options do not decode: \(error)")
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

    /// Create from a checkpoint: `runc restore --detach` from the image
    /// containerd unpacked at `request.checkpoint`.
    func restore(
        _ request: ShimCreateTaskRequest, runc: Runc, io: ProcessIO, pidFile: String, consoleSocket: String?, options: RuncOptions
    ) async throws {
        let criu = CRIUOptions(
            imagePath: request.checkpoint, workPath: options.criuWorkPath.isEmpty ? nil : options.criuWorkPath,
            shellJob: request.terminal)
        try await runc.restore(
            request.id, bundle: request.bundle,
            options: RestoreOptions(
                criu: criu, pidFile: pidFile, consoleSocket: consoleSocket, detach: true, noPivot: options.noPivotRoot, io: io.runcIO))
    }
}
