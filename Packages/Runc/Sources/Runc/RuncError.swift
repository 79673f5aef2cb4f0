import SystemPackage

/// The one error type of Runc: which runc command failed, and why — runc's
/// own message (from its JSON log or stderr), its exit status, or the errno
/// of a failure to start it. Branch on ``code``; the message is for people.
public struct RuncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added: switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable number for the code, for logs and for switching on codes from a wire or a file.
        public let rawValue: Int
        public let description: String

        private init(_ rawValue: Int, _ description: String) {
            self.rawValue = rawValue
            self.description = description
        }

        /// runc ran and exited non-zero.
        public static let commandFailed = Code(1, "command failed")
        /// runc ran and said the container does not exist.
        public static let containerNotFound = Code(2, "container not found")
        /// The runtime binary is not on PATH, not at the path given, or not
        /// executable (execve(2) failed with ENOENT or EACCES).
        public static let runtimeNotFound = Code(3, "runtime not found")
        /// runc could not be started for another reason (fork, pipes, descriptors).
        public static let spawnFailed = Code(4, "spawn failed")
        /// runc's output could not be parsed.
        public static let invalidOutput = Code(5, "invalid output")
        /// A file the call needs (log, spec, resources) could not be created or written,
        /// or a value could not be encoded.
        public static let fileFailed = Code(6, "file failed")
    }

    /// What kind of failure this is.
    public var code: Code
    /// The runc subcommand (`create`, `state`…).
    public var command: String
    /// The container concerned, when there is one.
    public var containerID: String?
    /// runc's exit status (128 plus a signal when it was killed); nil when it
    /// never ran.
    public var exitStatus: Int32?
    /// What runc said, or what went wrong around it. A runtime that cannot
    /// be found is described as Go's os/exec does (`exec: "runc": executable
    /// file not found in $PATH`), the text containerd's clients look for.
    public var message: String
    /// The errno when runc could not be started or a file could not be used.
    public var errno: Errno?

    /// A failure; without `code`, one that ran (an exit status) is
    /// ``Code/containerNotFound`` when runc said so and
    /// ``Code/commandFailed`` otherwise, one with an errno is
    /// ``Code/spawnFailed``, and anything else ``Code/commandFailed``.
    public init(
        code: Code? = nil, command: String, containerID: String? = nil, exitStatus: Int32? = nil, message: String, errno: Errno? = nil
    ) {
        if let code {
            self.code = code
        } else if exitStatus != nil {
            self.code = RuncError.saysNotFound(message) ? .containerNotFound : .commandFailed
        } else {
            self.code = errno == nil ? .commandFailed : .spawnFailed
        }
        self.command = command
        self.containerID = containerID
        self.exitStatus = exitStatus
        self.message = message
        self.errno = errno
    }

    /// Whether runc said the container does not exist.
    public var isNotFound: Bool { code == .containerNotFound || (code == .commandFailed && RuncError.saysNotFound(message)) }

    static func saysNotFound(_ message: String) -> Bool {
        message.contains("does not exist") || message.contains("not found")
    }

    public var description: String {
        var text = "runc \(command)"
        if let containerID { text += " \(containerID)" }
        text += ": \(message)"
        if let exitStatus { text += " (exit status \(exitStatus))" }
        if let errno { text += " (\(errno))" }
        return text
    }
}
