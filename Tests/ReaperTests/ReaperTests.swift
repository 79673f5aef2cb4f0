import Foundation
import OCISpec
import TestSupport
import Testing

/// Each scenario runs in `reaper-scenarios`, a process of its own, because
/// the Reaper changes process-wide state (subreaper flag, SIGCHLD mask, and
/// it reaps every child — including ones Foundation's Process would wait for).
@Suite struct ReaperTests {
    static let scenarios = [
        "thousand", "orphan", "early-exit", "capture", "timeout", "errors", "background-holder", "signal-mask", "cancel",
        "session", "descriptors", "signal",
    ]

    static var helper: String { BuiltProduct.path("reaper-scenarios") }

    /// Runc driven through the Reaper (the shim's arrangement). The bundle is
    /// built here; the scenario process only runs runc.
    @Test func runcThroughTheReaper() async throws {
        let directory = try TemporaryDirectory(prefix: "reaper-runc")
        defer { directory.remove() }
        let bundle = directory.file("bundle")
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        try BusyboxRootfs.create(at: bundle + "/rootfs")
        try Command.check(["runc", "spec"], directory: bundle)
        var spec = try Spec.load(from: .init(bundle + "/config.json"))
        spec.process?.terminal = false
        spec.setArgs(["sleep", "1000"])
        spec.root?.readonly = false
        try spec.write(to: .init(bundle + "/config.json"))
        let id = "swift-reaper-runc-\(getpid())"
        let result = try await Command.runOffPool([Self.helper, "runc", bundle, directory.file("runc-root"), id])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS runc"), "\(result.output)\(result.errors)")
    }

    @Test(arguments: scenarios)
    func scenario(_ name: String) async throws {
        let result = try await Command.runOffPool([Self.helper, name])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS \(name)"), "\(result.output)\(result.errors)")
    }

    /// The same scenarios with the Reaper driven by the caller's event loop
    /// (`Reaper.startDriven`, as the shim runs it): timers through its
    /// timerfd, exits and pipes through its descriptor, no thread of its own.
    @Test(arguments: scenarios)
    func drivenScenario(_ name: String) async throws {
        let result = try await Command.runOffPool([Self.helper, name, "driven"])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS \(name) (driven)"), "\(result.output)\(result.errors)")
    }
}
