import Foundation
import TestSupport
import Testing

/// Requests where a client of containerd once saw our shim answer
/// differently from Debian's Go shim (containerd-shim-runc-v1). A Go
/// program built on containerd's own client library (`GoClient/`) drives
/// each scenario through a private containerd 1.6, once with our shim and
/// once with the Go shim, and prints what every step returned; each test
/// checks the expected outcome for both, and that ours equals the Go shim's.
@Suite(.serialized) struct GoShimParityTests {
    static let goShim = "/usr/bin/containerd-shim-runc-v1"
    static let clientSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GoClient").path

    /// What the client printed for `scenario` with `shim`: step name to outcome.
    func outcomes(_ harness: ShimHarness, shim: String, _ scenario: String, id: String) async throws -> [String: Any] {
        let client = try await GoBuild.binaryOffPool(for: Self.clientSource, name: "go-task-client")
        let result = try await Command.runOffPool([
            client, "-address", harness.containerd.address, "-namespace", harness.containerd.namespace, "-runtime", shim,
            "-rootfs", harness.rootfs.path, scenario, id,
        ])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any] else {
            throw CommandError(command: [client, scenario, id], result: result)
        }
        return object
    }

    /// The scenario with our shim and with the Go shim.
    func both(_ harness: ShimHarness, _ scenario: String) async throws -> (ours: [String: Any], go: [String: Any]) {
        let ours = try await outcomes(harness, shim: harness.shim, scenario, id: "ours-\(scenario)")
        let go = try await outcomes(harness, shim: Self.goShim, scenario, id: "go-\(scenario)")
        return (ours, go)
    }

    /// The same steps with the same outcomes (the code, not the wording).
    func expectSame(_ ours: [String: Any], _ go: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(ours.keys) == Set(go.keys), sourceLocation: sourceLocation)
        for key in go.keys.sorted() where !key.hasSuffix("message") {
            let mine = ours[key].map { "\($0)" } ?? "missing"
            let theirs = go[key].map { "\($0)" } ?? "missing"
            let (mineCode, theirCode) = (mine.split(separator: ":").first ?? "", theirs.split(separator: ":").first ?? "")
            #expect(mineCode == theirCode, "\(key): ours \(mine), Go's \(theirs)", sourceLocation: sourceLocation)
        }
    }

    /// The request asks for a terminal, the process spec copied from the
    /// container's says none: the request decides, and a large output
    /// arrives whole with the tty's \r\n, then the exit code.
    @Test func execWithTerminalWhoseSpecSaysNone() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let (ours, go) = try await both(harness, "exec-terminal")
        for (name, result) in [("ours", ours), ("Go", go)] {
            #expect(result["exec"] as? String == "ok" && result["start"] as? String == "ok", "\(name): \(result)")
            #expect(result["exitCode"] as? Int == 7, "\(name): \(result)")
            #expect(result["complete"] as? Bool == true, "\(name): \(result)")
            #expect((result["bytes"] as? Int ?? 0) > 200_000, "\(name): \(result)")
        }
        expectSame(ours, go)
    }

    /// For init the bundle's spec is runc's input: Create's terminal flag
    /// cannot override it, and both shims report runc's refusal the same way.
    @Test func initWhoseTerminalDiffersFromTheSpec() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        for scenario in ["init-terminal", "init-no-terminal"] {
            let (ours, go) = try await both(harness, scenario)
            #expect(go["create"] as? String == "Unknown", "\(scenario): Go's \(go)")
            expectSame(ours, go)
        }
    }

    /// ResizePty of a process without a terminal succeeds and does nothing,
    /// for init and for an exec, created or running.
    /// Update of a running task: both shims write the limits into its cgroup.
    @Test func updateReachesTheCgroup() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let (ours, go) = try await both(harness, "update")
        expectSame(ours, go)
        for outcome in [ours, go] {
            #expect(outcome["memoryLimit"] as? String == "67108864" && outcome["cpuQuota"] as? String == "50000", "\(outcome)")
        }
    }

    @Test func resizeWithoutTerminalIsANoOp() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let (ours, go) = try await both(harness, "resize")
        for step in ["initCreated", "initRunning", "execCreated", "execRunning"] {
            #expect(ours[step] as? String == "ok", "ours, \(step): \(ours)")
            #expect(go[step] as? String == "ok", "Go's, \(step): \(go)")
        }
    }

    /// A runtime binary not on PATH: the error quotes the program as Go's
    /// os/exec does, with the Go shim's code.
    @Test func missingRuntimeBinaryIsNamed() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let (ours, go) = try await both(harness, "missing-runtime")
        for (name, result) in [("ours", ours), ("Go", go)] {
            #expect(result["create"] as? String == "Unknown", "\(name): \(result)")
            #expect(result["namesProgram"] as? Bool == true, "\(name): \(result["message"] ?? "")")
        }
        #expect((ours["message"] as? String ?? "").contains("OCI runtime create failed"), "\(ours)")
    }

    /// Every task request in every state (created, running, paused, a
    /// stopped exec, a stopped init), straight through containerd's task
    /// service: the same success or error code as the Go shim.
    @Test func everyRequestInEveryStateAnswersAsTheGoShim() async throws {
        let harness = try ShimHarness()
        defer { harness.stop() }
        let (ours, go) = try await both(harness, "states")
        #expect(go.count >= 40, "\(go)")
        expectSame(ours, go)
        // The answers that differed before, spelled out.
        #expect(ours["created.exec"] as? String == "ok")
        #expect(ours["created.execStatus"] as? String == "CREATED")
        #expect(ours["created.killUnstartedExec"] as? String == "FailedPrecondition")
        #expect(ours["paused.exec"] as? String == "Unknown")
        #expect(ours["paused.execStatus"] as? String == "PAUSED")
        #expect(ours["running.delete"] as? String == "Unknown")
        #expect(ours["execStopped.resize"] as? String == "Unknown")
        #expect(ours["stopped.metricsCount"] as? Int == 1, "a stopped task keeps its metrics until deleted")
    }
}
