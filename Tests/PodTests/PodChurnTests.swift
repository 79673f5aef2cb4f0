import Foundation
import TestSupport
import Testing

/// Pods created and removed in quick succession must leave nothing behind:
/// no shim process, socket or mount (containerd #11871, #12344: shims and
/// their sockets leaked under pod churn). Each pod runs one container.
@Suite(.serialized) struct PodChurnTests {
    @Test(arguments: ContainerdRelease.allCases, PodShim.allCases)
    func fiftyPodsOneAfterAnotherAndTenAtOnce(release: ContainerdRelease, shim: PodShim) async throws {
        try #require(release.isAvailable, "\(release) is missing: run scripts/install-deps")
        let cri = try CRIContainerd(release: release, shim: shim)
        do {
            let container = cri.containerConfig("worker", ["sh", "-c", "while true; do sleep 1; done"])
            for (count, concurrency) in [(50, 1), (10, 10)] {
                let pods = try await cri.client.cycle(
                    sandbox: cri.sandboxConfig("churn-\(concurrency)"), container: container, count: count, concurrency: concurrency)
                #expect(pods.count == count)
                #expect(pods.allSatisfy { $0.error == nil }, "\(pods.compactMap(\.error))")
                let sockets = try pods.compactMap(\.pod).map { try cri.shimSocket(group: $0) }
                let shimsGone = try await eventually { cri.liveShims().isEmpty ? true : nil }
                #expect(shimsGone)
                #expect(sockets.allSatisfy { !FileManager.default.fileExists(atPath: $0) }, "sockets left")
                #expect(cri.mountsLeft().isEmpty, "\(cri.mountsLeft())")
                #expect(cri.containerCgroupsLeft().isEmpty, "\(cri.containerCgroupsLeft())")
                let listed = try await cri.client.call("ListPodSandbox")["items"] as? [JSONObject] ?? []
                #expect(listed.isEmpty, "pods still listed: \(listed.count)")
            }
        } catch {
            Issue.record("\(release), \(shim): \(error)\n\(cri.log().suffix(3000))")
        }
        await cri.stop()
    }
}
