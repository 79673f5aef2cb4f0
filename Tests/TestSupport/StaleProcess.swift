import Foundation

/// Stops a process a test started earlier and knows only by a pid it wrote
/// down (a shim's `shim.pid`). That process may have exited and its pid been
/// reused by an unrelated process since (another suite's server, say), so it
/// is signalled only while its command line still carries every one of
/// `markers`: the program and the test's own namespace.
public enum StaleProcess {
    public static func kill(_ pid: Int32, ifCommandLineContains markers: [String]) {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return }
        let command = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        guard markers.allSatisfy({ command.contains($0) }) else { return }
        _ = Glibc.kill(pid, SIGKILL)
    }
}
