import CLibseccomp
import OCISpec

/// Seccomp names as libseccomp knows them: architectures
/// (seccomp_arch_resolve_name(3)), syscalls (seccomp_syscall_resolve_name_arch(3)),
/// the API level of this kernel and library (seccomp_api_get(3)) and the
/// library version (seccomp_version(3)).
public enum Libseccomp {
    /// libseccomp's token for an OCI architecture name (`SCMP_ARCH_X86_64`),
    /// or nil when this libseccomp does not know it.
    public static func architectureToken(_ arch: SeccompArch) -> UInt32? {
        let prefix = "SCMP_ARCH_"
        guard arch.rawValue.hasPrefix(prefix) else { return nil }
        let name = arch.rawValue.dropFirst(prefix.count).lowercased()
        guard !name.isEmpty else { return nil }
        let token = seccomp_arch_resolve_name(name)
        return token == 0 ? nil : token
    }

    /// The token of the architecture this process runs on.
    public static var nativeArchitectureToken: UInt32 { seccomp_arch_native() }

    /// Whether `name` is a syscall on the architecture `token`.
    public static func knowsSyscall(_ name: String, architecture token: UInt32) -> Bool {
        seccomp_syscall_resolve_name_arch(token, name) != __NR_SCMP_ERROR
    }

    /// The API level: 1 basic, 2 TSYNC, 3 LOG and KILL_PROCESS, 4 SPEC_ALLOW,
    /// 5 NOTIFY, 6 notify fd ids, 7 WAIT_KILLABLE_RECV.
    public static var apiLevel: UInt32 { seccomp_api_get() }

    /// The library version, `2.5.4`.
    public static var version: String {
        guard let version = seccomp_version() else { return "unknown" }
        return "\(version.pointee.major).\(version.pointee.minor).\(version.pointee.micro)"
    }

    /// The actions this library and kernel support.
    public static func supportedActions() -> [SeccompAction] {
        let level = apiLevel
        return SeccompAction.known.filter { action in
            switch action {
            case .log, .killProcess: return level >= 3
            case .notify: return level >= 5
            default: return true
            }
        }
    }

    /// The filter flags this library and kernel support.
    public static func supportedFlags() -> [SeccompFlag] {
        let level = apiLevel
        return SeccompFlag.known.filter { flag in
            switch flag {
            case .tsync: return level >= 2
            case .log: return level >= 3
            case .specAllow: return level >= 4
            case .waitKillableRecv: return level >= 7
            default: return false
            }
        }
    }
}
