import OCISpec

extension Runc {
    /// `runc state`.
    public func state(_ id: String) async throws(RuncError) -> RuncContainer {
        let result = try await execute(Invocation(arguments: ["state", id], containerID: id))
        return try decode(RuncContainer.self, result.stdout, command: "state", id: id)
    }

    /// `runc list --format json` (runc prints `null` when there are none).
    public func list() async throws(RuncError) -> [RuncContainer] {
        let result = try await execute(Invocation(arguments: ["list", "--format", "json"]))
        return try decode([RuncContainer]?.self, result.stdout, command: "list") ?? []
    }

    /// `runc ps --format json`: the pids of the container's processes.
    public func ps(_ id: String) async throws(RuncError) -> [Int32] {
        let result = try await execute(Invocation(arguments: ["ps", "--format", "json", id], containerID: id))
        return try decode([Int32]?.self, result.stdout, command: "ps", id: id) ?? []
    }

    /// `runc events --stats`: one statistics sample.
    public func stats(_ id: String) async throws(RuncError) -> RuncStats {
        let result = try await execute(Invocation(arguments: ["events", "--stats", id], containerID: id))
        let event = try decode(JSONValue.self, result.stdout, command: "events", id: id)
        guard event["type"].string == "stats" else {
            throw RuncError(
                code: .invalidOutput, command: "events", containerID: id, message: "expected a stats event, got \(event["type"].string)")
        }
        return RuncStats(json: event["data"])
    }

    /// `runc features`.
    public func features() async throws(RuncError) -> Features {
        let result = try await execute(Invocation(arguments: ["features"]))
        return try decode(Features.self, result.stdout, command: "features")
    }

    /// `runc --version`.
    public func version() async throws(RuncError) -> RuncBinaryVersion {
        let command = MonitorCommand(
            executable: RuntimeLookup.resolve(binary, environment: environment), arguments: ["--version"], environment: environment)
        let result: MonitorResult
        do {
            result = try await monitor.run(command)
        } catch {
            throw startFailure(error, command: "--version", containerID: nil)
        }
        guard result.exitStatus == 0 else {
            throw RuncError(command: "--version", exitStatus: result.exitStatus, message: String(decoding: result.stderr, as: UTF8.self))
        }
        var version = RuncBinaryVersion(runc: "", commit: "", spec: "")
        for line in String(decoding: result.stdout, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("runc version ") { version.runc = String(line.dropFirst("runc version ".count)) }
            if line.hasPrefix("commit: ") { version.commit = String(line.dropFirst("commit: ".count)) }
            if line.hasPrefix("spec: ") { version.spec = String(line.dropFirst("spec: ".count)) }
        }
        return version
    }
}
