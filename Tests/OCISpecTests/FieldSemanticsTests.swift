import OCISpec
import Testing

/// The JSON traps of the reference implementation, one by one.
@Suite struct FieldSemanticsTests {
    private func encoded<T: Encodable>(_ value: T) throws -> JSONValue {
        try json(OCIJSON.encode(value, style: .compact))
    }

    private func object(_ value: JSONValue, _ path: String...) -> JSONObject? {
        var current = value
        for key in path {
            guard case .object(let members) = current, let next = members[key] else { return nil }
            current = next
        }
        if case .object(let members) = current { return members }
        return nil
    }

    @Test func absentOptionalNumbersStayAbsent() throws {
        let bytes = Array(#"{"ociVersion":"1.2.0","linux":{"resources":{"memory":{},"cpu":{"cpus":"0"},"blockIO":{}}}}"#.utf8)
        let spec = try OCIJSON.decode(Spec.self, from: bytes)
        #expect(spec.linux?.resources?.memory?.limit == nil)
        #expect(spec.linux?.resources?.cpu?.shares == nil)
        let out = try encoded(spec)
        #expect(object(out, "linux", "resources", "memory") == [:])
        #expect(object(out, "linux", "resources", "cpu") == ["cpus": .string("0")])
        #expect(object(out, "linux", "resources", "blockIO") == [:])
    }

    @Test func explicitZerosAreKept() throws {
        let bytes = Array(
            #"{"ociVersion":"1.2.0","process":{"user":{"uid":0,"gid":0},"cwd":"/","oomScoreAdj":0},"linux":{"resources":{"memory":{"swappiness":0,"reservation":0},"pids":{"limit":0}}}}"#
                .utf8)
        let spec = try OCIJSON.decode(Spec.self, from: bytes)
        #expect(spec.process?.oomScoreAdj == 0)
        #expect(spec.linux?.resources?.memory?.swappiness == 0)
        #expect(spec.linux?.resources?.pids?.limit == 0)
        let out = try encoded(spec)
        #expect(object(out, "linux", "resources", "memory")?["swappiness"] == .int(0))
        #expect(object(out, "linux", "resources", "pids")?["limit"] == .int(0))
        #expect(object(out, "process")?["oomScoreAdj"] == .int(0))
    }

    @Test func fieldsGoAlwaysWritesAreWrittenWhenZero() throws {
        let spec = Spec(
            ociVersion: "1.2.0", process: ProcessSpec(), root: Root(),
            mounts: [Mount()],
            linux: Linux(
                devices: [LinuxDevice()], seccomp: LinuxSeccomp(syscalls: [LinuxSyscall(args: [LinuxSeccompArg()])])))
        let out = try encoded(spec)
        #expect(object(out, "process", "user") == ["uid": .int(0), "gid": .int(0)])
        #expect(object(out, "process")?["cwd"] == .string(""))
        #expect(object(out, "root") == ["path": .string("")])
        guard case .object(let top) = out, case .array(let mounts)? = top["mounts"] else {
            Issue.record("mounts missing")
            return
        }
        #expect(mounts == [.object(["destination": .string("")])])
        let seccomp = object(out, "linux", "seccomp")
        #expect(seccomp?["defaultAction"] == .string(""))
        guard case .array(let rules)? = seccomp?["syscalls"], case .object(let rule)? = rules.first,
            case .array(let args)? = rule["args"]
        else {
            Issue.record("syscalls missing")
            return
        }
        #expect(rule["names"] == .array([]))
        #expect(args == [.object(["index": .int(0), "value": .int(0), "op": .string("")])])
    }

    @Test func absentRequiredFieldsDecodeAsGoZeroValues() throws {
        let spec = try OCIJSON.decode(Spec.self, from: Array(#"{"process":{"args":["sh"]},"mounts":[{"type":"proc"}]}"#.utf8))
        #expect(spec.ociVersion == "")
        #expect(spec.process?.cwd == "")
        #expect(spec.process?.user == User())
        #expect(spec.mounts?.first?.destination == "")
    }

    @Test func fullRangeIntegersSurvive() throws {
        let bytes = Array(#"{"type":"RLIMIT_CORE","hard":18446744073709551615,"soft":9223372036854775808}"#.utf8)
        let rlimit = try OCIJSON.decode(POSIXRlimit.self, from: bytes)
        #expect(rlimit.hard == UInt64.max)
        #expect(rlimit.soft == 1 << 63)
        #expect(try encoded(rlimit) == json(bytes))
    }

    @Test func fileModeIsADecimalNumber() throws {
        let device = LinuxDevice(path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o666)
        #expect(object(try encoded(device))?["fileMode"] == .int(438))
    }

    @Test func openSetsKeepUnknownStrings() throws {
        let bytes = Array(
            #"{"defaultAction":"SCMP_ACT_FUTURE","architectures":["SCMP_ARCH_NEW"],"flags":["SECCOMP_FILTER_FLAG_NEW"],"syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_NEW"}]}]}"#
                .utf8)
        let seccomp = try OCIJSON.decode(LinuxSeccomp.self, from: bytes)
        #expect(seccomp.defaultAction.rawValue == "SCMP_ACT_FUTURE")
        #expect(!seccomp.defaultAction.isKnown)
        #expect(seccomp.architectures == ["SCMP_ARCH_NEW"])
        #expect(seccomp.syscalls?.first?.args?.first?.op.rawValue == "SCMP_CMP_NEW")
        #expect(SeccompAction.allow.isKnown)
        #expect(try encoded(seccomp) == json(bytes))
    }

    @Test func unknownKeysSurviveAtEveryLevel() throws {
        let bytes = Array(
            #"{"ociVersion":"1.2.0","windows":{"layerFolders":[]},"process":{"user":{"uid":0,"gid":0,"newUserKey":true},"cwd":"/","x":1},"linux":{"resources":{"memory":{"future":[1,2]}}}}"#
                .utf8)
        let spec = try OCIJSON.decode(Spec.self, from: bytes)
        #expect(spec.unknownFields["windows"] == .object(["layerFolders": .array([])]))
        #expect(spec.process?.user.unknownFields["newUserKey"] == .bool(true))
        #expect(spec.linux?.resources?.memory?.unknownFields["future"] == .array([.int(1), .int(2)]))
        #expect(try encoded(spec).differences(from: json(bytes)) == [])
    }

    @Test func schemataKeepsItsShape() throws {
        let old = try OCIJSON.decode(LinuxIntelRdt.self, from: Array(#"{"schemata":"L3:0=7f\nMB:0=20"}"#.utf8))
        #expect(old.schemata == .text("L3:0=7f\nMB:0=20"))
        #expect(old.schemata?.allLines == ["L3:0=7f", "MB:0=20"])
        let new = try OCIJSON.decode(LinuxIntelRdt.self, from: Array(#"{"schemata":["L3:0=7f","MB:0=20"]}"#.utf8))
        #expect(new.schemata == .lines(["L3:0=7f", "MB:0=20"]))
        #expect(object(try encoded(new))?["schemata"] == .array([.string("L3:0=7f"), .string("MB:0=20")]))
    }

    @Test func stateOmitsPidWhenAbsent() throws {
        let state = State(ociVersion: "1.2.0", id: "c", status: .stopped, bundle: "/b")
        #expect(
            object(try encoded(state)) == [
                "ociVersion": .string("1.2.0"), "id": .string("c"), "status": .string("stopped"), "bundle": .string("/b"),
            ])
    }

    @Test func slashesAreNotEscaped() throws {
        let text = String(decoding: try OCIJSON.encode(Root(path: "/a/b"), style: .compact), as: UTF8.self)
        #expect(text == #"{"path":"/a/b"}"#)
    }

    @Test func typeErrorsNameTheirPath() throws {
        #expect {
            _ = try OCIJSON.decode(Spec.self, from: Array(#"{"process":{"user":{"uid":"root"}}}"#.utf8))
        } throws: { error in
            (error as? OCISpecError)?.jsonPath == "process.user.uid"
        }
        #expect {
            _ = try OCIJSON.decode(Spec.self, from: Array(#"{"mounts":[{"destination":"/a"},{"destination":5}]}"#.utf8))
        } throws: { error in
            (error as? OCISpecError)?.jsonPath == "mounts[1].destination"
        }
        #expect(throws: OCISpecError.self) { try OCIJSON.decode(Spec.self, from: Array("{not json".utf8)) }
    }
}
