import Foundation
import OCISpec
import OCISpecValidation
import TestSupport
import Testing

/// Round trips of JSON that the real tools write on this machine: runc's
/// `spec` and `features`, and the specs containerd's `ctr` builds.
@Suite(.serialized) struct GeneratedByToolsTests {
    static func runcSpec(_ extra: [String]) throws -> [UInt8] {
        let directory = try TemporaryDirectory(prefix: "runc-spec")
        try Command.check(["runc", "spec"] + extra, directory: directory.path)
        return try read(directory.file("config.json"))
    }

    @Test func runcSpecRoundTrips() throws {
        let bytes = try Self.runcSpec([])
        try expectRoundTrip(Spec.self, bytes, "runc spec")
        let spec = try OCIJSON.decode(Spec.self, from: bytes)
        #expect(spec.process?.terminal == true)
        #expect(spec.process?.user.uid == 0)
        #expect(spec.linux?.namespaces?.contains { $0.type == .pid } == true)
        #expect(SpecValidator().validate(json: bytes).problems == [])
    }

    @Test func runcRootlessSpecRoundTrips() throws {
        let bytes = try Self.runcSpec(["--rootless"])
        try expectRoundTrip(Spec.self, bytes, "runc spec --rootless")
        let spec = try OCIJSON.decode(Spec.self, from: bytes)
        #expect(spec.linux?.uidMappings?.first?.size == 1)
        #expect(spec.linux?.namespaces?.contains { $0.type == .user } == true)
        #expect(SpecValidator().validate(json: bytes).problems == [])
    }

    @Test func runcFeaturesRoundTrip() throws {
        let bytes = try Command.check(["runc", "features"]).stdout
        try expectRoundTrip(Features.self, bytes, "runc features")
        let features = try OCIJSON.decode(Features.self, from: bytes)
        #expect(features.linux?.seccomp?.enabled == true)
        #expect(features.linux?.capabilities?.contains(.sysAdmin) == true)
        #expect(SpecValidator().validate(json: bytes, kind: .features).problems == [])
    }

    /// The host features report names the same capabilities and seccomp
    /// architectures as `runc features` where both come from the same facts.
    @Test func hostFeaturesAgreeWithRunc() throws {
        let runc = try OCIJSON.decode(Features.self, from: Command.check(["runc", "features"]).stdout)
        let ours = HostFeatures.report()
        let runcCaps = Set(runc.linux?.capabilities ?? [])
        let ourCaps = Set(ours.linux?.capabilities ?? [])
        #expect(!ourCaps.isEmpty)
        #expect(ourCaps.isSubset(of: runcCaps), "libcap names caps runc does not: \(ourCaps.subtracting(runcCaps))")
        let runcArchs = Set(runc.linux?.seccomp?.archs ?? [])
        let ourArchs = Set(ours.linux?.seccomp?.archs ?? [])
        #expect(ourArchs.contains(.x86_64))
        #expect(runcArchs.subtracting(ourArchs).isEmpty, "runc knows archs libseccomp does not: \(runcArchs.subtracting(ourArchs))")
        #expect(Set(ours.linux?.seccomp?.operators ?? []) == Set(runc.linux?.seccomp?.operators ?? []))
        let namespaces: Set<NamespaceType> = Set(ours.linux?.namespaces ?? [])
        #expect(namespaces.isSuperset(of: [.pid, .network, .mount, .ipc, .uts, .user, .cgroup]))
    }

    /// Specs containerd generates for `ctr container create` with many options.
    @Test func containerdSpecsRoundTrip() throws {
        let containerd = try PrivateContainerd()
        defer { containerd.stop() }
        let rootfs = try TemporaryDirectory(prefix: "ctr-rootfs")
        let variants: [(String, [String])] = [
            (
                "tty-seccomp-limits",
                [
                    "--tty", "--seccomp", "--memory-limit", "67108864", "--cpu-quota", "50000", "--cpu-period", "100000",
                    "--mount", "type=bind,src=/tmp,dst=/host,options=rbind:ro", "--cap-add", "CAP_SYS_ADMIN",
                    "--cap-drop", "CAP_KILL", "--read-only", "--device", "/dev/null", "--env", "FOO=bar",
                    "--annotation", "a=b", "--cwd", "/work", "--rootfs-propagation", "rslave",
                ]
            ),
            ("privileged", ["--privileged", "--net-host"]),
            ("plain", []),
            ("no-new-privs-off", ["--allow-new-privs", "--with-ns", "network:/proc/1/ns/net", "--label", "x=y"]),
        ]
        for (index, (label, flags)) in variants.enumerated() {
            let id = "ocispec-\(index)"
            try Command.check(containerd.ctrArguments(["container", "create", "--rootfs"] + flags + [rootfs.path, id, "echo", "hi"]))
            let bytes = try Command.check(containerd.ctrArguments(["container", "info", "--spec", id])).stdout
            try expectRoundTrip(Spec.self, bytes, "ctr \(label)")
            let problems = SpecValidator().validate(json: bytes).problems
            #expect(problems == [], "ctr \(label): \(problems)")
            let spec = try OCIJSON.decode(Spec.self, from: bytes)
            if label == "tty-seccomp-limits" {
                #expect(spec.process?.terminal == true)
                #expect(spec.linux?.resources?.memory?.limit == 67_108_864)
                #expect(spec.linux?.resources?.cpu?.quota == 50000)
                #expect(spec.linux?.seccomp?.syscalls?.isEmpty == false)
                #expect(spec.root?.readonly == true)
                #expect(spec.process?.capabilities?.bounding?.contains(.sysAdmin) == true)
                #expect(spec.process?.capabilities?.bounding?.contains(.kill) == false)
                #expect(spec.mounts?.contains { $0.destination == "/host" && $0.options == ["rbind", "ro"] } == true)
            }
            try containerd.ctr("container", "delete", id)
        }
    }
}
