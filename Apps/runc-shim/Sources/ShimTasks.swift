import Runc

/// The containers this shim holds (one per shim in practice): each init, its
/// runtime options, and its execs. Only bookkeeping happens here, never a
/// runc call, so no request waits behind another's runc invocation.
actor ShimTasks {
    private struct Container {
        var process: ShimProcess?
        var options: RuncOptions
        /// Exec ids in use; nil while an Exec request is being set up.
        var execs: [String: ShimProcess?] = [:]
    }

    private var containers: [String: Container] = [:]
    private var deletedTasks: [String: ShimProcess] = [:]

    func reserve(_ id: String) throws {
        guard containers[id] == nil else { throw TTRPCFailure.alreadyExists("task \(id) already exists") }
        containers[id] = Container(process: nil, options: RuncOptions())
    }

    func release(_ id: String) { containers[id] = nil }

    func add(_ process: ShimProcess, options: RuncOptions) { containers[process.id] = Container(process: process, options: options) }

    func get(_ id: String, includingDeleted: Bool = false) throws -> (ShimProcess, RuncOptions) {
        if let entry = containers[id], let process = entry.process { return (process, entry.options) }
        if includingDeleted, let process = deletedTasks[id] { return (process, RuncOptions()) }
        throw TTRPCFailure.notFound("task \(id) not found")
    }

    /// The init (empty `execID`) or an exec of container `id`.
    func process(_ id: String, execID: String) throws -> (ShimProcess, RuncOptions) {
        let (initProcess, options) = try get(id)
        guard !execID.isEmpty else { return (initProcess, options) }
        guard let entry = containers[id]?.execs[execID], let exec = entry else {
            throw TTRPCFailure.notFound("exec \(execID) not found in task \(id)")
        }
        return (exec, options)
    }

    func process(_ id: String) -> ShimProcess? { containers[id]?.process }

    /// Claims `execID` for a new exec (AlreadyExists if it is taken).
    func reserveExec(_ id: String, execID: String) throws {
        guard containers[id]?.process != nil else { throw TTRPCFailure.notFound("task \(id) not found") }
        guard containers[id]?.execs[execID] == nil else {
            throw TTRPCFailure.alreadyExists("exec id \(execID) is already in use in task \(id)")
        }
        containers[id]?.execs[execID] = .some(nil)
    }

    func addExec(_ process: ShimProcess) { containers[process.id]?.execs[process.execID] = .some(process) }

    func releaseExec(_ id: String, execID: String) { containers[id]?.execs[execID] = nil }

    /// The execs of container `id` that exist now.
    func execs(of id: String) -> [ShimProcess] {
        (containers[id]?.execs.values.compactMap { $0 }) ?? []
    }

    func deleted(_ id: String) {
        if let process = containers.removeValue(forKey: id)?.process { deletedTasks[id] = process }
    }

    /// Deletions of init processes still under way.
    func deletionsInProgress() async -> [Task<ShimDeleteResponse, any Error>] {
        var list: [Task<ShimDeleteResponse, any Error>] = []
        for entry in containers.values {
            if let process = entry.process, let deletion = await process.deletion { list.append(deletion) }
        }
        return list
    }

    /// Whether any container is created and not yet deleted.
    func hasContainers() -> Bool { !containers.isEmpty }

    func hasLiveTasks() async -> Bool {
        for entry in containers.values {
            if let process = entry.process, await !process.hasExited { return true }
        }
        return false
    }
}
