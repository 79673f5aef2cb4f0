import Foundation

/// Whether `pid` runs (a zombie left to PID 1, which does not reap here, counts as gone).
public func processIsLive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    return stat.split(separator: " ").dropFirst(2).first != "Z"
}

/// The live processes (zombies left out) whose command line (/proc/PID/cmdline,
/// split at NULs) `matches` accepts.
public func liveProcesses(_ matches: ([String]) -> Bool) -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
        guard let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return false }
        return matches(command.split(separator: "\0").map(String.init)) && processIsLive(pid)
    }
}

/// The shim binaries under test: this build's, or the ones beside the path
/// `SHIM_UNDER_TEST` names (`make test` runs suites again on the static
/// release binaries).
public enum ShimUnderTest {
    /// The runc.v1 binary.
    public static var runcV1: String {
        if let path = ProcessInfo.processInfo.environment["SHIM_UNDER_TEST"], !path.isEmpty { return path }
        return BuiltProduct.path("containerd-shim-runc-v1")
    }

    /// The runc.v2 binary, beside the v1 one.
    public static var runcV2: String {
        if let path = ProcessInfo.processInfo.environment["SHIM_UNDER_TEST"], !path.isEmpty {
            return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("containerd-shim-runc-v2").path
        }
        return BuiltProduct.path("containerd-shim-runc-v2")
    }
}
