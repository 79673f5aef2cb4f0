import Foundation
import TestSupport
import Testing

/// `binary_name` in the runtime options picks the OCI runtime: crun
/// (Debian's package) instead of runc, through our runc.v2 shim installed
/// on containerd's PATH and `ctr run --runc-binary`, beside Go's shim.
@Suite(.serialized) struct OtherRuntimeTests {
    @Test(arguments: ["ours", "go"])
    func crunRunsContainersWhenTheOptionsNameIt(_ shimName: String) async throws {
        let directory = try TemporaryDirectory(prefix: "crun-shim")
        defer { directory.remove() }
        // The shim under containerd's name for runc.v2, first on its PATH.
        let shim = shimName == "go" ? ShimV2GroupTests.goShim : ShimHarness.shimV2Binary
        try FileManager.default.createSymbolicLink(atPath: directory.file("containerd-shim-runc-v2"), withDestinationPath: shim)
        // crun behind a wrapper that notes each call, so the test sees who
        // ran. crun refuses this machine's hybrid hierarchy (a cgroup2 mount
        // holding the hugetlb controller: "cgroups in hybrid mode not
        // supported"), so the wrapper runs it in a mount namespace of its
        // own without that mount: crun then sees cgroup v1 only. The
        // container keeps its own namespaces after the wrapper exits.
        let calls = directory.file("calls")
        let crun = try Command.resolve("crun")
        try TestFile.write(
            """
            #!/bin/sh
            echo "$@" >> \(calls)
            exec unshare --mount --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec \(crun) "$@"' crun "$@"

            """, to: directory.file("crun-noted"))
        chmod(directory.file("crun-noted"), 0o755)

        let containerd = try PrivateContainerd(namespace: "swift-crun-\(getpid())-\(shimName)", extraPath: directory.path)
        let rootfs = try TemporaryDirectory(prefix: "crun-rootfs")
        try BusyboxRootfs.create(at: rootfs.path)
        defer {
            containerd.stop()
            try? FileManager.default.removeItem(atPath: "/run/containerd/runc/\(containerd.namespace)")
            CgroupLeftovers.remove(containerd.namespace)
            rootfs.remove()
        }
        let run = try await Command.runOffPool(
            containerd.ctrArguments([
                "run", "--rm", "--runtime", "io.containerd.runc.v2", "--runc-binary", directory.file("crun-noted"),
                "--rootfs", rootfs.path, "crunned", "/bin/sh", "-c", "echo via crun; exit 9",
            ]))
        #expect(run.status == 9 && run.output == "via crun\n", "\(shimName): \(run.output) \(run.errors)")
        let noted = (try? String(contentsOfFile: calls, encoding: .utf8)) ?? ""
        #expect(noted.contains("create") && noted.contains("start") && noted.contains("delete"), "\(shimName): crun ran: \(noted)")
    }
}
