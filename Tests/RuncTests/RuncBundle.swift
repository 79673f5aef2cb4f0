import Foundation
import OCISpec
import Runc
import TestSupport

/// A bundle (busybox rootfs + config from `runc spec`) and a private runc
/// root, removed when the test ends. Container ids carry the test pid.
final class RuncBundle: @unchecked Sendable {
    let directory: TemporaryDirectory
    let runc: Runc
    let id: String
    var bundle: String { directory.file("bundle") }
    var cgroupsPath: String { "/swift-runc-test/\(id)" }

    init(name: String, args: [String] = ["sleep", "1000"], edit: (inout Spec) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory(prefix: "runc-test")
        id = "swift-runc-\(getpid())-\(name)"
        try FileManager.default.createDirectory(atPath: directory.file("bundle"), withIntermediateDirectories: true)
        try BusyboxRootfs.create(at: directory.file("bundle/rootfs"))
        try Command.check(["runc", "spec"], directory: directory.file("bundle"))
        var spec = try Spec.load(from: .init(directory.file("bundle/config.json")))
        spec.process?.terminal = false
        spec.setArgs(args)
        spec.root?.readonly = false
        spec.linux?.cgroupsPath = "/swift-runc-test/\(id)"
        edit(&spec)
        try spec.write(to: .init(directory.file("bundle/config.json")))
        runc = Runc(root: directory.file("runc-root"))
    }

    /// Forced delete and removal of everything, whatever state the test left.
    func cleanUp() async {
        try? await runc.delete(id, force: true)
        directory.remove()
        CgroupLeftovers.remove("swift-runc-test")
    }

    /// Polls `runc state` until the status is `status` (or the container is gone for "stopped").
    func waitForStatus(_ status: String, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = (try? await runc.state(id).status.rawValue) ?? "gone"
            if last == status { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        return last
    }
}
