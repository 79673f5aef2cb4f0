import Foundation
import Synchronization
import TestSupport

/// A private containerd and a busybox rootfs for running containers through
/// our shim, given to containerd by absolute path.
final class ShimHarness: @unchecked Sendable {
    let containerd: PrivateContainerd
    let rootfs: TemporaryDirectory
    let shim: String

    /// With `shim`, that binary (another build, or Debian's Go shim);
    /// ours by default. With `release`, that containerd (1.7, 2.x).
    init(shim: String = ShimHarness.defaultShim, release: ContainerdRelease = ShimHarness.defaultRelease) throws {
        // Each harness its own namespace, so runc roots and cgroups never meet.
        containerd = try PrivateContainerd(namespace: "swift-shim-test-\(getpid())-\(ShimHarness.next())", binaries: release.binaries)
        rootfs = try TemporaryDirectory(prefix: "shim-rootfs")
        try BusyboxRootfs.create(at: rootfs.path)
        self.shim = shim
    }

    private static let counter = Mutex(0)

    static func next() -> Int {
        counter.withLock { value in
            value += 1
            return value
        }
    }

    /// The containerd the end-to-end suites run under: `SHIM_CONTAINERD`
    /// (bookworm, trixie or sid; `make test` runs them under each), else
    /// the installed 1.6.
    static var defaultRelease: ContainerdRelease {
        ProcessInfo.processInfo.environment["SHIM_CONTAINERD"].flatMap(ContainerdRelease.init(rawValue:)) ?? .bookworm
    }

    /// The shim those suites run: our runc.v2 binary when `SHIM_FLAVOR` is
    /// `v2` (containerd 2.x has no runc.v1), else the v1 binary.
    static var defaultShim: String {
        ProcessInfo.processInfo.environment["SHIM_FLAVOR"] == "v2" ? shimV2Binary : shimBinary
    }

    /// The shim under test: this build's, or the one `SHIM_UNDER_TEST` names
    /// (`make test` runs the shim suites again on the static release binary).
    static var shimBinary: String { ShimUnderTest.runcV1 }

    /// Our runc.v2 shim: beside the v1 binary under test (the release one
    /// when `SHIM_UNDER_TEST` names it), else this build's.
    static var shimV2Binary: String { ShimUnderTest.runcV2 }

    /// `ctr run --rm` through our shim; returns ctr's result (its exit status is the container's).
    func run(_ id: String, _ command: [String], detach: Bool = false) async throws -> CommandResult {
        var arguments = ["run", "--runtime", shim, "--rootfs"]
        if detach { arguments.append("-d") } else { arguments.append("--rm") }
        arguments += [rootfs.path, id] + command
        return try await Command.runOffPool(containerd.ctrArguments(arguments))
    }

    func ctr(_ arguments: String...) async throws -> CommandResult {
        try await Command.runOffPool(containerd.ctrArguments(arguments))
    }

    /// Deletes whatever tasks and containers a test left (a killed but
    /// undeleted task keeps its shim alive past containerd), then stops
    /// containerd, then kills any shim of this harness still running, by the
    /// pid in its bundle's `shim.pid`.
    func stop() {
        let tasks = (try? Command.run(containerd.ctrArguments(["task", "ls", "-q"])).output) ?? ""
        for id in tasks.split(separator: "\n").map(String.init) {
            _ = try? Command.run(containerd.ctrArguments(["task", "kill", "-s", "SIGKILL", id]))
        }
        for id in tasks.split(separator: "\n").map(String.init) {
            for _ in 0..<50 {
                if (try? Command.run(containerd.ctrArguments(["task", "delete", id])).status) == 0 { break }
                usleep(100_000)
            }
        }
        let containers = (try? Command.run(containerd.ctrArguments(["container", "ls", "-q"])).output) ?? ""
        for id in containers.split(separator: "\n").map(String.init) {
            _ = try? Command.run(containerd.ctrArguments(["container", "delete", id]))
        }
        let bundles = "\(containerd.state)/io.containerd.runtime.v2.task/\(containerd.namespace)"
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: bundles)) ?? []
        let shimPids = leftovers.compactMap { id in
            (try? String(contentsOfFile: "\(bundles)/\(id)/shim.pid", encoding: .utf8)).flatMap { Int32($0) }
        }
        containerd.stop()
        for pid in shimPids {
            StaleProcess.kill(pid, ifCommandLineContains: [URL(fileURLWithPath: shim).lastPathComponent, containerd.namespace])
        }
        try? FileManager.default.removeItem(atPath: "/run/containerd/runc/\(containerd.namespace)")
        CgroupLeftovers.remove(containerd.namespace)
        rootfs.remove()
    }
}
