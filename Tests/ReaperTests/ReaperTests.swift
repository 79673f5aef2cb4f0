import Foundation
import TestSupport
import Testing

/// Each scenario runs in `reaper-scenarios`, a process of its own, because
/// the Reaper changes process-wide state (subreaper flag, SIGCHLD mask, and
/// it reaps every child — including ones Foundation's Process would wait for).
@Suite struct ReaperTests {
    static let scenarios = [
        "thousand", "orphan", "early-exit", "capture", "timeout", "errors", "background-holder", "signal-mask", "cancel",
        "session", "descriptors",
    ]

    static var helper: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("reaper-scenarios").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "reaper-scenarios"
    }

    @Test(arguments: scenarios)
    func scenario(_ name: String) async throws {
        let result = try await Command.runOffPool([Self.helper, name])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS \(name)"), "\(result.output)\(result.errors)")
    }
}
