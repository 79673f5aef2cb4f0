import Foundation
import Testing

/// ttrpc-call against a real runc shim: a container's whole life through
/// the task API, every reply read back as JSON; and the errors a user gets
/// for requests that cannot be sent.
@Suite(.serialized)
struct TTRPCCallTests {
    @Test func aContainersLifeThroughTheShimsTaskAPI() async throws {
        let scene = try ShimScene.start(script: "echo hello from the container; exec sleep 1000")
        var shimPid: Int32?
        do {
            let connect = try scene.call("Connect", #"{"id": "c1"}"#)
            #expect(connect.status == 0, "\(connect.stderr)")
            shimPid = (connect.json["shimPid"] as? NSNumber)?.int32Value
            #expect((shimPid ?? 0) > 0, "Connect names the shim's pid: \(connect.stdout)")

            let output = scene.directory + "/out.log"
            let create = try scene.call(
                "containerd.task.v2.Task/Create",
                #"{"id": "c1", "bundle": "\#(scene.bundle)", "stdout": "file://\#(output)", "stderr": "file://\#(output)"}"#)
            #expect(create.status == 0, "\(create.stderr)")
            let pid = (create.json["pid"] as? NSNumber)?.int32Value ?? 0
            #expect(pid > 0, "Create answers the init pid: \(create.stdout)")

            let start = try scene.call("Start", #"{"id": "c1"}"#)
            #expect((start.json["pid"] as? NSNumber)?.int32Value == pid, "\(start.stdout) \(start.stderr)")

            let state = try scene.call("State", #"{"id": "c1"}"#)
            #expect(state.json["status"] as? String == "RUNNING", "\(state.stdout) \(state.stderr)")
            #expect((state.json["pid"] as? NSNumber)?.int32Value == pid)
            #expect(state.json["bundle"] as? String == scene.bundle)
            #expect(state.json["exitedAt"] as? String == "0001-01-01T00:00:00Z", "a running task reports Go's zero time: \(state.stdout)")

            // containerd 2.x's name for the same API: Debian 12's Go shim (containerd 1.6)
            // does not serve it and says so; this repository's shim does.
            let v3 = try scene.call("containerd.task.v3.Task/State", #"{"id": "c1"}"#)
            if ShimScene.shimBinary.hasPrefix("/usr/bin/") {
                #expect(v3.status == 1 && v3.stderr.contains("Unimplemented: service containerd.task.v3.Task"), "\(v3.stderr)")
            } else {
                #expect(v3.json["status"] as? String == "RUNNING", "\(v3.stdout) \(v3.stderr)")
            }

            let pids = try scene.call("Pids", #"{"id": "c1"}"#)
            let processes = pids.json["processes"] as? [[String: Any]] ?? []
            #expect(processes.compactMap { ($0["pid"] as? NSNumber)?.int32Value } == [pid], "\(pids.stdout)")

            let stats = try scene.call("Stats", #"{"id": "c1"}"#)
            let metrics = stats.json["stats"] as? [String: Any] ?? [:]
            let type = metrics["@type"] as? String ?? ""
            // The cgroup v2 (unified) hierarchy has cgroup.controllers at its root.
            let unified = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0
            #expect(type == (unified ? "io.containerd.cgroups.v2.Metrics" : "io.containerd.cgroups.v1.Metrics"), "\(stats.stdout)")
            #expect((metrics["pids"] as? [String: Any])?["current"] as? String == "1", "one process in the cgroup: \(stats.stdout)")

            let raw = try scene.call("containerd.task.v2.Task/Connect", "", extra: ["--raw"])
            #expect((raw.json["1"] as? NSNumber)?.int32Value == shimPid, "the raw reply's field 1 is the shim pid: \(raw.stdout)")

            let unknown = try scene.call("State", #"{"id": "nothing-here"}"#)
            #expect(unknown.status == 1 && unknown.stderr.contains("NotFound"), "\(unknown.stderr)")

            #expect(try scene.call("Kill", #"{"id": "c1", "signal": 9}"#).stdout.contains("{}"))
            let wait = try scene.call("Wait", #"{"id": "c1"}"#)
            #expect((wait.json["exitStatus"] as? NSNumber)?.intValue == 137, "\(wait.stdout) \(wait.stderr)")
            #expect((wait.json["exitedAt"] as? String)?.hasSuffix("Z") == true, "a Timestamp prints as RFC 3339: \(wait.stdout)")
            let delete = try scene.call("Delete", #"{"id": "c1"}"#)
            #expect((delete.json["exitStatus"] as? NSNumber)?.intValue == 137, "\(delete.stdout) \(delete.stderr)")
            #expect(try scene.call("Shutdown", #"{"id": "c1"}"#).status == 0)

            let written = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(written.contains("hello from the container"), "the container's stdout reached the file: \(written)")
            for topic in ["/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"] {
                #expect(scene.events.topics.contains(topic), "the shim published \(topic): \(scene.events.topics)")
            }
            if let shimPid {
                var alive = true
                for _ in 0..<100 where alive {
                    alive = kill(shimPid, 0) == 0 && !isZombie(shimPid)
                    if alive { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(!alive, "the shim exits after Shutdown")
            }
        } catch {
            await scene.stop(shimPid: shimPid)
            throw error
        }
        await scene.stop(shimPid: shimPid)
    }

    @Test func requestsThatCannotBeSentAreRefusedWithTheReason() throws {
        let misspelt = try ttrpcCall(["--socket", "/nonexistent", "State", #"{"idd": "c1"}"#])
        #expect(misspelt.status == 2)
        #expect(
            misspelt.stderr.contains(#"containerd.task.v2.StateRequest has no field "idd" (its fields: id, execId)"#), "\(misspelt.stderr)")

        let badJSON = try ttrpcCall(["--socket", "/nonexistent", "State", #"{"id": "c1""#])
        #expect(badJSON.status == 2 && badJSON.stderr.contains("not valid JSON"), "\(badJSON.stderr)")

        let badEnum = try ttrpcCall(["--socket", "/nonexistent", "Kill", #"{"id": "c1", "signal": "nine"}"#])
        #expect(
            badEnum.status == 2 && badEnum.stderr.contains("request.signal: nine is not a 32-bit unsigned integer"), "\(badEnum.stderr)")

        let noMethod = try ttrpcCall(["--socket", "/nonexistent", "Frobnicate"])
        #expect(noMethod.status == 2 && noMethod.stderr.contains("no method Frobnicate"), "\(noMethod.stderr)")

        let noServer = try ttrpcCall(["--socket", "/nonexistent", "State", #"{"id": "c1"}"#])
        #expect(noServer.status == 1 && noServer.stderr.contains("cannot connect to /nonexistent"), "\(noServer.stderr)")

        let noSocket = try ttrpcCall(["State"])
        #expect(noSocket.status == 2 && noSocket.stderr.contains("--socket is required"), "\(noSocket.stderr)")
    }

    @Test func theBuiltInDescriptionsCanBeListed() throws {
        let list = try ttrpcCall(["--list"])
        #expect(list.status == 0)
        #expect(
            list.stdout.contains(
                "containerd.task.v2.Task/Stats  (containerd.task.v2.StatsRequest) returns (containerd.task.v2.StatsResponse)"))
        #expect(list.stdout.contains("containerd.task.v3.Task/State"))
        #expect(list.stdout.contains("containerd.services.events.ttrpc.v1.Events/Forward"))

        let describe = try ttrpcCall(["--describe", "containerd.task.v2.KillRequest"])
        #expect(describe.stdout.contains("signal: uint32 = 3") && describe.stdout.contains("all: bool = 4"), "\(describe.stdout)")
    }
}

/// Whether `pid` is a zombie (exited, not reaped: a daemonized shim's parent is PID 1).
func isZombie(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
}
