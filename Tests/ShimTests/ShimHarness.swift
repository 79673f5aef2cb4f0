import Foundation
import Synchronization
import TestSupport

/// A private containerd and a busybox rootfs for running containers through
/// our shim, given to containerd by absolute path.
final class ShimHarness: @unchecked Sendable {
    let containerd: PrivateContainerd
    let rootfs: TemporaryDirectory
    let shim: String

    init() throws {
        // Each harness its own namespace, so runc roots and cgroups never meet.
        containerd = try PrivateContainerd(namespace: "swift-shim-test-\(getpid())-\(ShimHarness.next())")
        rootfs = try TemporaryDirectory(prefix: "shim-rootfs")
        try BusyboxRootfs.create(at: rootfs.path)
        shim = ShimHarness.shimBinary
    }

    private static let counter = Mutex(0)

    static func next() -> Int {
        counter.withLock { value in
            value += 1
            return value
        }
    }

    static var shimBinary: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("containerd-shim-runc-v1").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "containerd-shim-runc-v1"
    }

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

    func stop() {
        containerd.stop()
        try? FileManager.default.removeItem(atPath: "/run/containerd/runc/\(containerd.namespace)")
        CgroupLeftovers.remove(containerd.namespace)
        rootfs.remove()
    }
}
