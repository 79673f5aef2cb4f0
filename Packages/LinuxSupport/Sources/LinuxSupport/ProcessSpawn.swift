import CLinuxSupport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The package's one way to start a program: posix_spawn(3) (vfork and
/// exec, no fork of our memory) with an explicit descriptor map, an empty
/// signal mask and default dispositions, so the child never inherits what
/// a shim or test blocks or ignores.
package struct ProcessSpawn {
    /// How the child relates to our session and process group.
    package enum Grouping: Sendable {
        /// Stays in ours.
        case inherit
        /// setsid(2): a new session, so no controlling terminal of ours.
        case newSession
        /// setpgid(0, 0): a process group of its own, so a signal can reach
        /// everything it starts.
        case newProcessGroup
    }

    /// A path, or a name looked up in PATH (no slash), as execvp(3) does.
    package var executable: String
    /// The whole argv, argv[0] included.
    package var arguments: [String]
    /// The environment; nil passes ours.
    package var environment: [String]?
    /// The working directory; nil keeps ours.
    package var directory: String?
    /// The child's descriptors 0, 1, 2, … taken from these of ours (-1
    /// leaves that number closed). Nothing else is inherited: every other
    /// descriptor of ours is close-on-exec.
    package var descriptors: [Int32]
    package var grouping: Grouping

    package init(
        executable: String, arguments: [String], environment: [String]? = nil, directory: String? = nil,
        descriptors: [Int32] = [0, 1, 2], grouping: Grouping = .inherit
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.descriptors = descriptors
        self.grouping = grouping
    }

    /// Starts the program; returns its pid. The caller waits for it.
    package func run() throws(Errno) -> pid_t {
        var pid: pid_t = 0
        let searchesPath: Int32 = executable.utf8.contains(UInt8(ascii: "/")) ? 0 : 1
        let session: Int32 = grouping == .newSession ? 1 : 0
        let group: Int32 = grouping == .newProcessGroup ? 0 : -1
        let result = CStringArray.with(arguments) { argv in
            CStringArray.with(optional: environment) { envp in
                descriptors.withUnsafeBufferPointer { map in
                    withOptionalCString(directory) { directory in
                        clinux_spawn(
                            &pid, executable, searchesPath, argv, envp, directory, map.baseAddress, Int32(map.count),
                            session, group)
                    }
                }
            }
        }
        guard result == 0 else { throw Errno(rawValue: result) }
        return pid
    }
}

private func withOptionalCString<Result>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
