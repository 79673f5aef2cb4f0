import Foundation
import TestSupport
import Testing

/// Our shims run containers under containerd 1.6, 1.7 and 2.x (the last
/// two extracted from Debian's trixie and sid packages): output, exit code,
/// an exec and metrics, as with the Go shims of the same release. runc.v1
/// is gone from containerd 2.x, so our v1 binary runs under 1.6 and 1.7.
@Suite(.serialized) struct ContainerdReleasesTests {
    static let cases: [(ContainerdRelease, String)] =
        ContainerdRelease.allCases.flatMap { release in
            [(release, "ours-v2"), (release, "go-v2")] + (release == .sid ? [] : [(release, "ours-v1")])
        }

    static func binary(_ name: String, _ release: ContainerdRelease) -> String {
        switch name {
        case "go-v2": release.goShimV2
        case "ours-v1": ShimHarness.shimBinary
        default: ShimHarness.shimV2Binary
        }
    }

    @Test(arguments: cases)
    func runExecAndMetrics(_ release: ContainerdRelease, _ shimName: String) async throws {
        try #require(release.isAvailable, "\(release) is missing: run scripts/install-deps")
        let harness = try ShimHarness(shim: Self.binary(shimName, release), release: release)
        defer { harness.stop() }
        let label = "\(shimName) on \(release)"
        let run = try await harness.run("once", ["/bin/sh", "-c", "echo out; echo err >&2; exit 6"])
        #expect(run.status == 6 && run.output == "out\n" && run.errors.contains("err"), "\(label): \(run.output) \(run.errors)")

        let started = try await harness.run("kept", ["/bin/sleep", "1000"], detach: true)
        #expect(started.status == 0, "\(label): \(started.errors)")
        let exec = try await harness.ctr("task", "exec", "--exec-id", "e1", "kept", "/bin/sh", "-c", "echo in exec; exit 2")
        #expect(exec.status == 2 && exec.output == "in exec\n", "\(label): \(exec.output) \(exec.errors)")
        let metrics = try await harness.ctr("task", "metrics", "kept")
        #expect(metrics.status == 0 && metrics.output.contains("memory"), "\(label): \(metrics.output) \(metrics.errors)")
        let ps = try await harness.ctr("task", "ps", "kept")
        #expect(ps.status == 0 && ps.output.split(separator: "\n").count >= 2, "\(label): \(ps.output) \(ps.errors)")
        try await harness.killAndDelete("kept")
        #expect(await harness.waitForShimCount(0), "\(label): every shim exited: \(harness.shimProcesses())")
    }
}

extension ContainerdReleasesTests {
    /// containerd 2.x asks a shim about itself with `-info`
    /// (`ctr plugins inspect-runtime` shows the answer, as CRI gets it).
    @Test(arguments: ["ours-v2", "go-v2"])
    func inspectRuntimeUnderContainerd2(_ shimName: String) async throws {
        let release = ContainerdRelease.sid
        try #require(release.isAvailable, "\(release) is missing: run scripts/install-deps")
        let harness = try ShimHarness(shim: Self.binary(shimName, release), release: release)
        defer { harness.stop() }
        let inspected = try await Command.runOffPool(
            harness.containerd.ctrArguments(["plugins", "inspect-runtime", "--runtime", harness.shim]))
        #expect(inspected.status == 0, "\(shimName): \(inspected.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(inspected.stdout)) as? [String: Any]
        #expect(object?["Name"] as? String == "io.containerd.runc.v2", "\(shimName): \(inspected.output)")
        let features = object?["Features"] as? [String: Any]
        let runcFeatures = try JSONSerialization.jsonObject(with: Data(Command.check(["runc", "features"]).stdout)) as? [String: Any]
        #expect(
            features?["ociVersionMax"] as? String == runcFeatures?["ociVersionMax"] as? String,
            "\(shimName): runc's features: \(inspected.output)")
        let version = (object?["Version"] as? [String: Any])?["Version"] as? String
        #expect(version?.isEmpty == false, "\(shimName): \(inspected.output)")
    }
}
