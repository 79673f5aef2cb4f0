import Foundation

/// A daemon a test starts (a containerd with a configuration of the test's
/// own) and stops by the pid it was started with.
public enum BackgroundDaemon {
    /// Starts `arguments` (the first resolved in PATH) with stdout and
    /// stderr to `output` and no stdin; its pid.
    public static func start(_ arguments: [String], environment: [String: String]?, output: Int32) throws -> pid_t {
        var resolved = arguments
        resolved[0] = try Command.resolve(arguments[0])
        let child = try Spawn.start(resolved, directory: nil, environment: environment, output: output)
        close(child.stdin)
        return child.pid
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; reaped either way.
    public static func stop(_ pid: pid_t, grace: TimeInterval = 10) {
        guard pid > 0, !Spawn.reapIfExited(pid) else { return }
        kill(pid, SIGTERM)
        Spawn.reap(pid, within: grace)
    }
}
