import Foundation
import TestSupport
import Testing

/// Bad input sent through CRI reaches the caller as a clear error, the same
/// one with our shim as with the Go shim, and leaves the pod usable.
@Suite(.serialized) struct PodBadInputTests {
    @Test(arguments: ContainerdRelease.allCases, PodShim.allCases)
    func badInputReachesAClearError(release: ContainerdRelease, shim: PodShim) async throws {
        try #require(release.isAvailable, "\(release) is missing: run scripts/install-deps")
        let cri = try CRIContainerd(release: release, shim: shim)
        do {
            let client = cri.client
            let sandbox = cri.sandboxConfig("bad")
            let pod = try #require(
                try await client.call("RunPodSandbox", ["config": sandbox, "runtime_handler": "runc"])["pod_sandbox_id"] as? String)

            // An entrypoint the image does not have: StartContainer fails
            // naming it, and the container is reported exited with 128.
            let missing = try #require(
                try await client.call(
                    "CreateContainer",
                    ["pod_sandbox_id": pod, "config": cri.containerConfig("missing", ["/no/such/entrypoint"]), "sandbox_config": sandbox]
                )["container_id"] as? String)
            await #expect {
                try await client.call("StartContainer", ["container_id": missing])
            } throws: { error in
                let message = (error as? CRIError)?.message ?? ""
                return message.contains("/no/such/entrypoint") && message.contains("no such file or directory")
            }
            let status = try await client.call("ContainerStatus", ["container_id": missing])["status"] as? JSONObject ?? [:]
            #expect(status["state"] as? String == "CONTAINER_EXITED", "\(status)")
            #expect(status["exit_code"] as? Int == 128, "\(status)")
            #expect(status["reason"] as? String == "StartError", "\(status)")

            // A resource value the kernel refuses: UpdateContainerResources
            // fails with the cgroup file named, and the container runs on.
            let running = try #require(
                try await client.call(
                    "CreateContainer",
                    [
                        "pod_sandbox_id": pod, "config": cri.containerConfig("running", ["sh", "-c", "while true; do sleep 1; done"]),
                        "sandbox_config": sandbox,
                    ])["container_id"] as? String)
            try await client.call("StartContainer", ["container_id": running])
            await #expect {
                try await client.call("UpdateContainerResources", ["container_id": running, "linux": ["cpuset_cpus": "4096-4097"]])
            } throws: { error in
                let message = (error as? CRIError)?.message ?? ""
                return message.contains("cpuset.cpus") || message.contains("invalid argument")
            }
            let after = try await client.call("ContainerStatus", ["container_id": running])["status"] as? JSONObject ?? [:]
            #expect(after["state"] as? String == "CONTAINER_RUNNING")
            let exec = try await client.call("ExecSync", ["container_id": running, "cmd": ["true"], "timeout": 20])
            #expect(exec["exit_code"] as? Int == 0)

            // A container id that does not exist.
            await #expect {
                try await client.call("StartContainer", ["container_id": "no-such-container"])
            } throws: { error in
                (error as? CRIError)?.code == "NOT_FOUND"
            }
            try await client.call("StopPodSandbox", ["pod_sandbox_id": pod])
            try await client.call("RemovePodSandbox", ["pod_sandbox_id": pod])
            let shimsGone = try await eventually { cri.liveShims().isEmpty ? true : nil }
            #expect(shimsGone)
            #expect(cri.mountsLeft().isEmpty, "\(cri.mountsLeft())")
        } catch {
            Issue.record("\(release), \(shim): \(error)\n\(cri.log().suffix(3000))")
        }
        await cri.stop()
    }
}
