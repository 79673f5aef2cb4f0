import SystemPackage

/// The one error type of Reaper: what failed, the errno, and the program or
/// path concerned.
public struct ReaperError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is, for callers to branch on. New codes may
    /// be added: switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable number for the code, for logs and for switching on codes from a wire or a file.
        public let rawValue: Int
        public let description: String

        private init(_ rawValue: Int, _ description: String) {
            self.rawValue = rawValue
            self.description = description
        }

        /// The program could not be executed: posix_spawn(3) failed with
        /// ENOENT, EACCES or ENOEXEC.
        public static let executableNotFound = Code(1, "executable not found")
        /// posix_spawn(3) failed otherwise (EAGAIN for too many processes, descriptors…).
        public static let spawnFailed = Code(2, "spawn failed")
        /// A Reaper already runs in this process.
        public static let alreadyRunning = Code(3, "already running")
        /// The task waiting for an exit was cancelled; the exit is kept.
        public static let waitCancelled = Code(4, "wait cancelled")
        /// Another system call failed; see ``errno``.
        public static let systemCall = Code(5, "system call failed")
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed.
    public var operation: String
    /// The errno, when a system call failed (ENOENT for a missing binary,
    /// EACCES for one that is not executable, EAGAIN for too many processes).
    public var errno: Errno?
    /// The program or file concerned.
    public var path: String?

    /// Without `code`, a failed posix_spawn is ``Code/executableNotFound`` for
    /// ENOENT, EACCES and ENOEXEC and ``Code/spawnFailed`` otherwise; any other
    /// failure is ``Code/systemCall``.
    public init(code: Code? = nil, operation: String, errno: Errno? = nil, path: String? = nil) {
        if let code {
            self.code = code
        } else if operation == "posix_spawn" {
            let missing: [Errno] = [.noSuchFileOrDirectory, .permissionDenied, .execFormatError]
            self.code = errno.map { missing.contains($0) } == true ? .executableNotFound : .spawnFailed
        } else {
            self.code = .systemCall
        }
        self.operation = operation
        self.errno = errno
        self.path = path
    }

    public var description: String {
        var text = "reaper: \(operation) failed"
        if let path { text += " for \(path)" }
        if let errno {
            text += ": \(errno)"
            switch errno {
            case .noSuchFileOrDirectory: text += " (no such program, or its interpreter or working directory is missing)"
            case .permissionDenied: text += " (not executable, or a directory on the way is not searchable)"
            case .resourceTemporarilyUnavailable: text += " (too many processes for this user or system)"
            default: break
            }
        }
        return text
    }
}
