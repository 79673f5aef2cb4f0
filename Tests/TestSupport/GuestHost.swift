import Foundation

/// What the test guest (`make test-vm`: Debian 12's 6.1 kernel in QEMU) has
/// and this repository's development machines lack. Suites that need it are
/// enabled only where it is there; the guest run fails if one is skipped.
public enum GuestHost {
    /// /sys/fs/cgroup is a cgroup v2 only hierarchy with the memory controller.
    public static let isCgroupV2Only: Bool = {
        let controllers = (try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.controllers", encoding: .utf8)) ?? ""
        return controllers.split(whereSeparator: \.isWhitespace).contains("memory")
    }()

    /// `criu check` passes: a checkpoint can succeed here.
    public static let criuWorks: Bool = {
        guard let result = try? Command.run(["criu", "check"]) else { return false }
        return result.status == 0
    }()
}
