import OCISpec
import OCISpecValidation
import Testing

/// Each class of bad input gives the expected problem at the expected path.
@Suite struct ValidationTests {
    struct Case: Sendable, CustomStringConvertible {
        var fixture: String
        var expected: [(path: String, kind: ValidationProblem.Kind)]
        var description: String { fixture }
    }

    static let cases: [Case] = [
        Case(
            fixture: "bad-capabilities.json",
            expected: [
                ("process.capabilities.bounding[1]", .unknownName),
                ("process.capabilities.bounding[2]", .unknownName),
                ("process.capabilities.ambient[0]", .unknownName),
            ]),
        Case(
            fixture: "bad-seccomp.json",
            expected: [
                ("linux.seccomp.defaultAction", .unknownName),
                ("linux.seccomp.architectures[1]", .unknownName),
                ("linux.seccomp.syscalls[0].names[1]", .unknownName),
                ("linux.seccomp.syscalls[1].errnoRet", .conflict),
                ("linux.seccomp.syscalls[1].args[0].index", .outOfRange),
                ("linux.seccomp.syscalls[1].args[0].op", .unknownName),
            ]),
        Case(
            fixture: "bad-paths.json",
            expected: [
                ("process.cwd", .relativePath),
                ("mounts[0].destination", .relativePath),
                ("mounts[1].destination", .invalidValue),
                ("mounts[2].source", .missingField),
                ("hooks.poststart[0].path", .relativePath),
                ("hooks.poststart[0].timeout", .outOfRange),
                ("linux.maskedPaths[0]", .relativePath),
                ("linux.namespaces[0].path", .relativePath),
            ]),
        Case(
            fixture: "bad-namespaces.json",
            expected: [
                ("linux.namespaces[2].type", .duplicate),
                ("linux.namespaces[3].type", .unknownName),
                ("linux.uidMappings[0].size", .outOfRange),
                ("linux.uidMappings", .conflict),
                ("linux.timeOffsets", .conflict),
            ]),
        Case(
            fixture: "bad-resources.json",
            expected: [
                ("process.oomScoreAdj", .outOfRange),
                ("process.rlimits[0].soft", .conflict),
                ("process.rlimits[1].type", .duplicate),
                ("linux.resources.memory.limit", .outOfRange),
                ("linux.resources.memory.swappiness", .outOfRange),
                ("linux.resources.cpu.shares", .outOfRange),
                ("linux.resources.cpu.quota", .outOfRange),
                ("linux.resources.cpu.period", .outOfRange),
                ("linux.resources.cpu.cpus", .outOfRange),
                ("linux.resources.cpu.mems", .invalidValue),
                ("linux.resources.pids.limit", .outOfRange),
                ("linux.resources.blockIO.weight", .outOfRange),
                ("linux.resources.hugepageLimits[0].pageSize", .invalidValue),
                ("linux.resources.devices[0].type", .invalidValue),
                ("linux.resources.devices[0].access", .invalidValue),
            ]),
        Case(
            fixture: "missing-fields.json",
            expected: [
                ("ociVersion", .missingField),
                ("process.cwd", .missingField),
                ("process.user.uid", .missingField),
                ("process.user.gid", .missingField),
                ("process.rlimits[0].hard", .missingField),
                ("process.rlimits[0].soft", .missingField),
                ("root.path", .missingField),
                ("mounts[0].destination", .missingField),
                ("linux.namespaces[0].type", .missingField),
                ("linux.seccomp.defaultAction", .missingField),
                ("linux.seccomp.syscalls[0].names", .missingField),
                ("linux.devices[0].path", .missingField),
                ("linux.devices[0].type", .missingField),
            ]),
        Case(fixture: "wrong-type.json", expected: [("process.user.uid", .invalidJSON)]),
        Case(fixture: "not-json.json", expected: [("$", .invalidJSON)]),
    ]

    @Test(arguments: cases)
    func reportsProblemAtPath(_ testCase: Case) throws {
        let report = SpecValidator().validate(json: try read("\(Paths.fixtures)/invalid/\(testCase.fixture)"))
        #expect(!report.isValid)
        for (path, kind) in testCase.expected {
            #expect(
                report.problems.contains { $0.path == path && $0.kind == kind },
                "expected \(kind) at \(path); got \(report.problems.map(\.description))")
        }
    }

    @Test func everyInvalidFixtureIsCovered() {
        let covered = Set(Self.cases.map(\.fixture))
        let present = Set(Paths.fixtures(in: "invalid").map { String($0.split(separator: "/").last ?? "") })
        #expect(present == covered)
    }

    @Test(arguments: Paths.fixtures(in: "valid"))
    func acceptsValidFixtures(_ path: String) throws {
        let report = SpecValidator().validate(json: try read(path))
        #expect(report.problems == [], "\(path): \(report.problems.map(\.description))")
    }

    @Test func reportsHundredsOfProblems() throws {
        var spec = Spec(root: Root(path: "rootfs"))
        spec.setArgs(["sh"])
        spec.process?.capabilities = LinuxCapabilities(bounding: (0..<150).map { Capability(rawValue: "CAP_BOGUS_\($0)") })
        spec.mounts = (0..<150).map { Mount(destination: "relative/\($0)", type: "tmpfs") }
        spec.linux = Linux(
            seccomp: LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: (0..<100).map { "nope_\($0)" }, action: .errno)]))
        let report = SpecValidator().validate(spec)
        #expect(
            report.problems.count == 400,
            "\(report.problems.filter { !$0.path.hasPrefix("mounts") && !$0.path.hasPrefix("process.capabilities") && !$0.path.contains("names[") })"
        )
        #expect(report.problems.filter { $0.kind == .relativePath }.count == 150)
        #expect(report.problems.contains { $0.path == "linux.seccomp.syscalls[0].names[99]" })
        #expect(report.problems.contains { $0.path == "process.capabilities.bounding[149]" })
    }

    @Test func validatesStates() {
        let good = Array(#"{"ociVersion":"1.2.0","id":"a","status":"running","pid":5,"bundle":"/b"}"#.utf8)
        #expect(SpecValidator().validate(json: good).isValid)
        let bad = Array(#"{"ociVersion":"1.2.0","id":"","status":"dancing","bundle":"b"}"#.utf8)
        let report = SpecValidator().validate(json: bad, kind: .state)
        #expect(report.kind == .state)
        #expect(Set(report.problems.map(\.path)) == ["id", "status", "bundle"])
    }

    @Test func libraryWrappersAnswer() {
        #expect(Libcap.value(of: "CAP_CHOWN") == 0)
        #expect(Libcap.value(of: "CAP_SYS_ADMIN") == 21)
        #expect(Libcap.value(of: "cap_chown") == nil)
        #expect(Libcap.value(of: "CAP_") == nil)
        #expect(Libcap.name(of: 21) == "CAP_SYS_ADMIN")
        #expect(Libseccomp.architectureToken(.x86_64) != nil)
        #expect(Libseccomp.architectureToken("SCMP_ARCH_NOPE") == nil)
        let native = Libseccomp.nativeArchitectureToken
        #expect(Libseccomp.knowsSyscall("openat", architecture: native))
        #expect(!Libseccomp.knowsSyscall("openatt", architecture: native))
        #expect(Libseccomp.apiLevel >= 1)
    }
}
